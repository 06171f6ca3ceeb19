from django.contrib import admin

from tingsu.cases.models import Case, CaseEvent, Category, ResolutionCode, RootCause, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "code", "default_department", "is_active", "sort_order"]
    list_filter = ["is_active", "parent"]
    search_fields = ["name", "code"]


@admin.register(ResolutionCode)
class ResolutionCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "author_type", "author", "is_public", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only here: case changes go through the desk so they are on the timeline."""

    list_display = ["number", "subject", "status", "severity", "department", "assignee"]
    list_filter = ["status", "severity", "channel", "department"]
    search_fields = ["number", "subject", "order_number"]
    list_select_related = ["department", "assignee"]
    inlines = [CaseEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

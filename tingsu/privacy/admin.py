from django.contrib import admin

from tingsu.privacy.models import CaseLegalHold, RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["category", "anonymise_after_days", "is_active"]
    list_filter = ["is_active"]


@admin.register(CaseLegalHold)
class CaseLegalHoldAdmin(admin.ModelAdmin):
    list_display = ["case", "reason", "placed_by", "created_at"]
    raw_id_fields = ["case"]
    readonly_fields = ["placed_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.placed_by = request.user
        super().save_model(request, obj, form, change)

from django.contrib import admin

from .models import BusinessCalendar, CalendarDay, SlaExtension, SlaPolicy, SlaTimer


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    ordering = ("-date",)


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone", "work_start", "work_end", "weekdays")
    inlines = [CalendarDayInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "calendar")
    list_filter = ("calendar", "kind")
    date_hierarchy = "date"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "key",
        "is_active",
        "order",
        "severity",
        "category",
        "customer_tier",
        "channel",
        "first_response_value",
        "first_response_unit",
        "resolution_value",
        "resolution_unit",
    )
    list_editable = ("is_active", "order")
    list_filter = ("is_active", "severity", "channel")


@admin.register(SlaTimer)
class SlaTimerAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "policy", "started_at", "due_at", "paused_at", "breached_at")
    list_filter = ("kind", "policy")
    raw_id_fields = ("case",)

    def has_add_permission(self, request):
        return False


@admin.register(SlaExtension)
class SlaExtensionAdmin(admin.ModelAdmin):
    list_display = ("timer", "number", "new_due_at", "requested_by", "approved_by")
    raw_id_fields = ("timer",)

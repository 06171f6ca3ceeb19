from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tingsu.channels.models import (
    InboundRecord,
    NotificationTemplate,
    OutboxMessage,
    OutboxStatus,
    StaffNotification,
)
from tingsu.channels.outbox import outbox_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "transport",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
        "created_at",
    )
    list_filter = ("status", "transport")
    search_fields = ("recipient", "subject", "idempotency_key", "case__number")
    date_hierarchy = "created_at"
    actions = ["retry"]
    list_select_related = ("case",)
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Retry the selected messages"))
    def retry(self, request, queryset):
        retried = sum(
            outbox_retry(message=m)
            for m in queryset.filter(status__in=[OutboxStatus.DEAD, OutboxStatus.PENDING])
        )
        self.message_user(
            request,
            ngettext("%(n)d message queued again.", "%(n)d messages queued again.", retried)
            % {"n": retried},
            messages.SUCCESS,
        )


@admin.register(InboundRecord)
class InboundRecordAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "status", "sender", "subject", "case", "created_at")
    list_filter = ("status", "channel")
    search_fields = ("external_id", "sender", "subject", "case__number")
    date_hierarchy = "created_at"
    list_select_related = ("case",)
    readonly_fields = [f.name for f in InboundRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("event", "transport", "language", "subject", "is_active", "updated_at")
    list_filter = ("event", "transport", "language", "is_active")
    search_fields = ("subject", "body")


@admin.register(StaffNotification)
class StaffNotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "case", "text", "read_at", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "case")

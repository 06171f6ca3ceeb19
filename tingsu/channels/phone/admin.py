from django.contrib import admin

from tingsu.channels.phone.models import CallbackTask


@admin.register(CallbackTask)
class CallbackTaskAdmin(admin.ModelAdmin):
    list_display = ["caller", "started_at", "status", "assignee", "department", "due_at", "case"]
    list_filter = ["status", "department"]
    # The caller's number is encrypted: found through the customer instead.
    search_fields = ["call_id", "customer__name"]
    raw_id_fields = ["customer", "assignee", "done_by", "case"]
    readonly_fields = ["call_id", "created_at", "done_at", "done_by"]

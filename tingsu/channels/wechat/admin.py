from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tingsu.channels.wechat.models import WeChatAccount, WeChatFollower


@admin.register(WeChatAccount)
class WeChatAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "app_id", "mode", "is_active", "callback_path"]
    list_filter = ["mode", "is_active"]
    search_fields = ["name", "app_id"]
    readonly_fields = ["callback_path", "access_token_expires_at"]

    @admin.display(description=_("Server URL path"))
    def callback_path(self, obj: WeChatAccount) -> str:
        return f"/channels/wechat/{obj.pk}/callback" if obj.pk else "-"


@admin.register(WeChatFollower)
class WeChatFollowerAdmin(admin.ModelAdmin):
    list_display = ["openid", "account", "customer", "subscribed", "subscribed_at"]
    list_filter = ["account", "subscribed"]
    search_fields = ["openid"]
    raw_id_fields = ["customer"]
    readonly_fields = ["account", "openid", "subscribed", "subscribed_at", "unsubscribed_at"]

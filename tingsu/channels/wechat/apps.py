from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeChatConfig(AppConfig):
    name = "tingsu.channels.wechat"
    label = "channels_wechat"
    verbose_name = _("WeChat channel")

    def ready(self) -> None:
        from tingsu.channels.transports import register_transport
        from tingsu.channels.wechat.transport import wechat_send

        register_transport("wechat", wechat_send)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeChatConfig(AppConfig):
    name = "tingsu.channels.wechat"
    label = "channels_wechat"
    verbose_name = _("WeChat channel")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsConfig(AppConfig):
    name = "tingsu.channels.sms"
    label = "channels_sms"
    verbose_name = _("SMS channel")

    def ready(self) -> None:
        from tingsu.channels.sms.providers import sms_send
        from tingsu.channels.transports import register_transport

        register_transport("sms", sms_send)

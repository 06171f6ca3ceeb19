from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "tingsu.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from tingsu.channels.transports import register_transport
        from tingsu.webhooks.transport import send_webhook

        register_transport("webhook", send_webhook)

        from tingsu.core.config import watch
        from tingsu.webhooks.models import WebhookEndpoint

        watch(WebhookEndpoint)

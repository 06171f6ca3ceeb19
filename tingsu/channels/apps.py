from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "tingsu.channels"
    label = "channels"
    verbose_name = "Channels"

    def ready(self) -> None:
        from tingsu.channels.models import NotificationTemplate
        from tingsu.channels.smtp import email_send, email_session
        from tingsu.channels.transports import register_transport
        from tingsu.core.config import watch

        register_transport("email", email_send, session=email_session)
        watch(NotificationTemplate)  # cached by notify._active_templates

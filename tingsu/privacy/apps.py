from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tingsu.privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from tingsu.privacy import checks  # noqa: F401  (registers the system checks)

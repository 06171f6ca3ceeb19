from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageLearningConfig(AppConfig):
    name = "tingsu.triage.learning"
    label = "triage_learning"
    verbose_name = _("Triage classifier")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tingsu.core.config import watch
        from tingsu.triage.learning.models import TriageModel

        watch(TriageModel)

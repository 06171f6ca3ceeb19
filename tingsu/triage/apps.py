from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "tingsu.triage"
    label = "triage"
    verbose_name = _("Triage and routing")

    def ready(self) -> None:
        from tingsu.accounts.models import Department
        from tingsu.core.config import watch
        from tingsu.triage.models import DepartmentRouting, EscalationWordList, RoutingRule

        # Rules hold their department (its name goes into the routing event).
        watch(RoutingRule, EscalationWordList, DepartmentRouting, Department)

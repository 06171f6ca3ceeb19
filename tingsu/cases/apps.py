from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tingsu.cases"
    label = "cases"
    verbose_name = _("Case handling")

    def ready(self) -> None:
        from tingsu.accounts.models import Department
        from tingsu.cases.models import Category, ResolutionCode, RootCause
        from tingsu.core.config import watch

        post_migrate.connect(_repair_search_index, sender=self)
        # selectors.case_configuration keeps these per process.
        watch(Category, Department, ResolutionCode, RootCause)


def _repair_search_index(sender, using, **kwargs) -> None:
    from tingsu.cases.search import ensure_search_index
    from tingsu.cases.sla_due import ensure_sla_due_triggers

    ensure_search_index(using)
    ensure_sla_due_triggers(using)

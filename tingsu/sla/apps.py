from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "tingsu.sla"
    label = "sla"
    verbose_name = _("SLA")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tingsu.core.config import watch
        from tingsu.sla.models import BusinessCalendar, CalendarDay, SlaPolicy

        watch(SlaPolicy, BusinessCalendar, CalendarDay)

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from tingsu.triage.forms import DryRunForm, RoutingRuleForm
from tingsu.triage.models import (
    AgentProfile,
    CaseRisk,
    DepartmentRouting,
    EscalationWordList,
    RoutingRule,
)
from tingsu.triage.routing import Complaint, rule_matches


@admin.register(EscalationWordList)
class EscalationWordListAdmin(admin.ModelAdmin):
    list_display = ("name", "reason", "raises_severity_to", "priority_boost", "is_active")
    list_editable = ("is_active",)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ("order", "name", "is_active", "set_department", "set_priority", "sla_policy")
    list_display_links = ("name",)
    list_editable = ("order", "is_active")
    change_list_template = "admin/triage/routingrule/change_list.html"

    def get_urls(self):
        return [
            path(
                "dry-run/",
                self.admin_site.admin_view(self.dry_run_view),
                name="triage_routingrule_dry_run",
            ),
            *super().get_urls(),
        ]

    def dry_run_view(self, request):
        """Which rule would this complaint match? Reads rules only; saves nothing."""
        form = DryRunForm(request.POST or None)
        result = None
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            complaint = Complaint(
                text=d["text"],
                channel=d["channel"],
                category=d["category"],
                severity=d["severity"],
                tier=d["tier"],
                custom_fields=d["custom_fields"],
            )
            rules = list(RoutingRule.objects.filter(is_active=True))
            checked = [(r, rule_matches(r, complaint)) for r in rules]
            winner = next((r for r, ok in checked if ok), None)
            result = {"winner": winner, "checked": checked}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Routing dry run"),
            "form": form,
            "result": result,
        }
        return TemplateResponse(request, "admin/triage/routingrule/dry_run.html", context)


@admin.register(DepartmentRouting)
class DepartmentRoutingAdmin(admin.ModelAdmin):
    list_display = ("department", "strategy", "auto_assign", "bounce_alert_threshold")


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "on_duty", "capacity")
    list_filter = ("on_duty",)
    filter_horizontal = ("skills",)


@admin.register(CaseRisk)
class CaseRiskAdmin(admin.ModelAdmin):
    list_display = ("case", "__str__", "score", "updated_at")
    readonly_fields = ("case", "reasons", "score")

"""Triage data: risk word lists, the risk explanation stored per case, routing rules,
per-department assignment settings and agents' routing profiles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tingsu.accounts.models import Department
from tingsu.cases.models import Case, Category, Channel, Priority, Severity
from tingsu.customers.models import Tier


class EscalationWordList(models.Model):
    """Words that raise a complaint's severity and priority (media, lawsuit, regulators...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    reason = models.CharField(
        _("reason shown"),
        max_length=60,
        help_text=_("Short phrase shown on the case, e.g. 提及媒体."),
    )
    words = models.TextField(_("words"), help_text=_("One word or phrase per line."))
    raises_severity_to = models.CharField(
        _("raises severity to"), max_length=16, choices=Severity.choices, blank=True
    )
    priority_boost = models.PositiveSmallIntegerField(
        _("priority boost"), default=1, help_text=_("Priority levels to raise (0-3).")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("escalation word list")
        verbose_name_plural = _("escalation word lists")

    def __str__(self) -> str:
        return self.name

    def word_list(self) -> list[str]:
        return [w.strip() for w in self.words.splitlines() if w.strip()]


class CaseRisk(models.Model):
    """Why triage raised a case's severity or priority (the case page explains it)."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="triage_risk", verbose_name=_("case")
    )
    reasons = models.JSONField(_("reasons"), default=list)
    score = models.IntegerField(_("score"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("case risk")
        verbose_name_plural = _("case risks")

    def __str__(self) -> str:
        return " + ".join(self.labels())

    def labels(self) -> list[str]:
        """The reasons in the active language (they are stored as codes)."""
        from tingsu.triage.reasons import reason_labels

        return reason_labels(self.reasons)


class RoutingRule(models.Model):
    """An ordered rule. Every condition left empty matches anything; the first active rule
    (lowest order, then id) whose conditions all match wins and no further rule runs."""

    order = models.PositiveIntegerField(_("order"), default=100)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("category (and its subcategories)"),
    )
    severities = models.JSONField(_("severities"), default=list, blank=True)
    tiers = models.JSONField(_("customer tiers"), default=list, blank=True)
    keywords = models.TextField(
        _("keywords (any of)"), blank=True, help_text=_("One per line; any one matches.")
    )
    custom_field_key = models.CharField(_("custom field"), max_length=64, blank=True)
    custom_field_value = models.CharField(_("custom field equals"), max_length=200, blank=True)
    set_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("set department"),
    )
    set_priority = models.PositiveSmallIntegerField(
        _("set priority"), choices=Priority.choices, null=True, blank=True
    )
    add_tags = models.CharField(
        _("add tags"), max_length=200, blank=True, help_text=_("Comma-separated.")
    )
    sla_policy = models.CharField(_("SLA policy"), max_length=64, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [w.strip() for w in self.keywords.splitlines() if w.strip()]

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.add_tags.split(",") if t.strip()]


class CaseRouting(models.Model):
    """Which rule routed a case and the SLA policy key it chose (read by the SLA app)."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="triage_routing", verbose_name=_("case")
    )
    rule = models.ForeignKey(
        RoutingRule, null=True, on_delete=models.SET_NULL, verbose_name=_("routing rule")
    )
    rule_name = models.CharField(_("rule name"), max_length=100)
    sla_policy = models.CharField(_("SLA policy"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case routing")
        verbose_name_plural = _("case routings")

    def __str__(self) -> str:
        return self.rule_name


class Strategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")
    SKILLS = "skills", _("Skills")


class DepartmentRouting(models.Model):
    department = models.OneToOneField(
        Department,
        on_delete=models.CASCADE,
        related_name="triage_routing",
        verbose_name=_("department"),
    )
    strategy = models.CharField(
        _("strategy"), max_length=16, choices=Strategy.choices, default=Strategy.LEAST_LOADED
    )
    auto_assign = models.BooleanField(_("assign automatically"), default=False)
    bounce_alert_threshold = models.PositiveSmallIntegerField(
        _("bounce alert threshold"),
        default=3,
        help_text=_("Alert the supervisors when a case is transferred more times than this."),
    )
    rr_cursor = models.PositiveIntegerField(_("round-robin cursor"), default=0, editable=False)

    class Meta:
        verbose_name = _("department routing")
        verbose_name_plural = _("department routing")

    def __str__(self) -> str:
        return str(self.department)


class AgentProfile(models.Model):
    """An agent's routing attributes. Only agents with a profile on duty are auto-assigned."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="triage_profile",
        verbose_name=_("user"),
    )
    on_duty = models.BooleanField(_("on duty"), default=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), default=20, help_text=_("Open-case load (severity weighted) at most.")
    )
    skills = models.ManyToManyField(Category, blank=True, verbose_name=_("skills (categories)"))
    languages = models.JSONField(_("languages"), default=list, blank=True)

    class Meta:
        verbose_name = _("agent routing profile")
        verbose_name_plural = _("agent routing profiles")

    def __str__(self) -> str:
        return str(self.user)


CHANNEL_CHOICES = Channel.choices
TIER_CHOICES = Tier.choices

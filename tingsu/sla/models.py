"""Business calendars, SLA policies, timers and extensions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tingsu.cases.models import Case, Category, Channel, Severity
from tingsu.customers.models import Tier

from .clock import Unit


class UnitChoices(models.TextChoices):
    WORKING_HOURS = Unit.WORKING_HOURS.value, _("working hours")
    WORKING_DAYS = Unit.WORKING_DAYS.value, _("working days")
    CALENDAR_DAYS = Unit.CALENDAR_DAYS.value, _("calendar days")


def default_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    work_start = models.TimeField(_("working hours start"), default="09:00")
    work_end = models.TimeField(_("working hours end"), default="18:00")
    weekdays = models.JSONField(
        _("working weekdays"),
        default=default_weekdays,
        help_text=_("Monday is 0, Sunday is 6."),
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKING = "working", _("Working day (调休)")


class CalendarDay(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="days", verbose_name=_("calendar")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ("calendar", "date")
        constraints = [
            models.UniqueConstraint(fields=("calendar", "date"), name="sla_calendarday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


def default_thresholds() -> list[float]:
    return [0.75, 0.9]


class SlaPolicy(models.Model):
    name = models.CharField(_("name"), max_length=200)
    key = models.SlugField(_("key"), max_length=64, unique=True)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, verbose_name=_("calendar")
    )
    first_response_unit = models.CharField(
        _("first response unit"),
        max_length=16,
        choices=UnitChoices.choices,
        default=Unit.WORKING_HOURS,
    )
    first_response_value = models.PositiveIntegerField(
        _("first response target"), null=True, blank=True, help_text=_("Empty: no target.")
    )
    next_response_unit = models.CharField(
        _("next response unit"),
        max_length=16,
        choices=UnitChoices.choices,
        default=Unit.WORKING_HOURS,
    )
    next_response_value = models.PositiveIntegerField(
        _("next response target"), null=True, blank=True, help_text=_("Empty: no target.")
    )
    resolution_unit = models.CharField(
        _("resolution unit"),
        max_length=16,
        choices=UnitChoices.choices,
        default=Unit.WORKING_DAYS,
    )
    resolution_value = models.PositiveIntegerField(
        _("resolution target"), null=True, blank=True, help_text=_("Empty: no target.")
    )
    severity = models.CharField(
        _("severity"),
        max_length=16,
        choices=Severity.choices,
        blank=True,
        help_text=_("Empty: any."),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("category"),
        help_text=_("Empty: any. A parent category also matches its subcategories."),
    )
    customer_tier = models.CharField(
        _("customer tier"),
        max_length=16,
        choices=Tier.choices,
        blank=True,
        help_text=_("Empty: any."),
    )
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty: any."),
    )
    order = models.PositiveIntegerField(
        _("order"), default=100, help_text=_("The first active matching policy wins.")
    )
    warning_thresholds = models.JSONField(
        _("warning thresholds"),
        default=default_thresholds,
        help_text=_("Fractions of the target at which the assignee is warned, e.g. [0.75, 0.9]."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    max_extensions = models.PositiveSmallIntegerField(
        _("extensions allowed"),
        default=0,
        help_text=_("How many times the resolution deadline may be extended."),
    )
    extension_days = models.JSONField(
        _("extended resolution targets"),
        default=list,
        blank=True,
        help_text=_("Calendar days from the start after each extension, e.g. [30, 60]."),
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ("order", "id")

    def __str__(self) -> str:
        return self.name

    def target(self, kind: str) -> tuple[str, int | None]:
        return getattr(self, f"{kind}_unit"), getattr(self, f"{kind}_value")


class TimerKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaTimer(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_timers")
    kind = models.CharField(_("kind"), max_length=16, choices=TimerKind.choices)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, verbose_name=_("policy"))
    unit = models.CharField(_("unit"), max_length=16, choices=UnitChoices.choices)
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    # Paused time as the unit counts it (working seconds, or wall seconds for calendar days).
    paused_total = models.FloatField(_("paused seconds"), default=0)
    warned_levels = models.JSONField(_("warned at"), default=list, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True, db_index=True)
    extensions = models.PositiveSmallIntegerField(_("extensions"), default=0)

    class Meta:
        verbose_name = _("SLA timer")
        verbose_name_plural = _("SLA timers")
        ordering = ("case", "started_at", "id")
        indexes = [models.Index(fields=("case", "stopped_at"), name="sla_timer_case_open")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None


class SlaExtension(models.Model):
    timer = models.ForeignKey(SlaTimer, on_delete=models.CASCADE, related_name="extension_rows")
    number = models.PositiveSmallIntegerField(_("extension number"))
    old_due_at = models.DateTimeField(_("old deadline"))
    new_due_at = models.DateTimeField(_("new deadline"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    customer_notified = models.BooleanField(_("customer told"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("SLA extension")
        verbose_name_plural = _("SLA extensions")
        constraints = [
            models.UniqueConstraint(fields=("timer", "number"), name="sla_extension_unique")
        ]

    def __str__(self) -> str:
        return f"{self.timer} #{self.number}"


class SlaCasePolicy(models.Model):
    """A policy chosen for one case (by a routing rule or a person). It wins over the
    automatic selection, so later field changes do not switch the case back."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="sla_policy_choice", verbose_name=_("case")
    )
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, verbose_name=_("policy"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("case SLA policy")
        verbose_name_plural = _("case SLA policies")

    def __str__(self) -> str:
        return f"{self.case_id} {self.policy.key}"


class ExtensionRequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("extension request", "Pending")
    APPROVED = "approved", pgettext_lazy("extension request", "Approved")
    REJECTED = "rejected", pgettext_lazy("extension request", "Rejected")


class SlaExtensionRequest(models.Model):
    """An agent's request for an extension that needs a supervisor's approval."""

    timer = models.ForeignKey(SlaTimer, on_delete=models.CASCADE, related_name="extension_requests")
    number = models.PositiveSmallIntegerField(_("extension number"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExtensionRequestStatus.choices,
        default=ExtensionRequestStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("SLA extension request")
        verbose_name_plural = _("SLA extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=("timer", "number"),
                condition=models.Q(status="pending"),
                name="sla_extension_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.timer} #{self.number} {self.status}"

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import IsNull
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from tingsu.accounts.models import Department
from tingsu.cases.row_writes import held_save
from tingsu.core.models import TimeStampedModel
from tingsu.customers.models import Customer


class Channel(models.TextChoices):
    PORTAL = "portal", _("Web portal")
    WIDGET = "widget", _("Web widget")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    API = "api", _("App / API")


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")  # 一般
    URGENT = "urgent", _("Urgent")  # 紧急
    MAJOR = "major", _("Major")  # 重大


class Priority(models.IntegerChoices):
    # Lower number sorts first in the queue.
    P1 = 1, _("P1 critical")
    P2 = 2, _("P2 high")
    P3 = 3, _("P3 normal")
    P4 = 4, _("P4 low")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 撤诉
    REJECTED = "rejected", _("Rejected")  # 不予受理
    MERGED = "merged", _("Merged")


OPEN_STATUSES = (
    Status.NEW,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.WAITING_CUSTOMER,
)


class Category(TimeStampedModel):
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    default_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("default department"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class ResolutionCode(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("resolution code")
        verbose_name_plural = _("resolution codes")

    def __str__(self) -> str:
        return self.name


class RootCause(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CaseNumberSequence(models.Model):
    """One row per local day; `last` is bumped under a row lock."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class IntakeWake(models.Model):
    """One row: when a drain of deferred intake was queued and has not started yet
    (`queued_at`), so an accepted complaint queues a drain only when none is waiting
    (cases.intake_batch.intake_wake)."""

    queued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"intake drain queued at {self.queued_at}"


def new_access_salt() -> str:
    return secrets.token_urlsafe(12)


class Case(TimeStampedModel):
    number = models.CharField(_("case number"), max_length=24, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="cases", verbose_name=_("customer")
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("category")
    )
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.NORMAL
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.P3
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("department"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="cases", verbose_name=_("tags"))
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    order_number = models.CharField(_("order number"), max_length=64, blank=True, db_index=True)
    resolution_code = models.ForeignKey(
        ResolutionCode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("resolution code"),
    )
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("root cause")
    )
    resolution_summary = models.TextField(_("resolution summary"), blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    auto_close_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reopen_count = models.PositiveIntegerField(_("reopen count"), default=0)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
        verbose_name=_("merged into"),
    )
    access_salt = models.CharField(max_length=32, default=new_access_salt, editable=False)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The nearest running SLA deadline: earliest due_at of the open, unpaused timers (NULL:
    # none). Kept by database triggers on the SLA timers (tingsu.cases.sla_due), never
    # written by save(), so the queue can read a department's cases in due order by index.
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True, editable=False)
    # Accepted, not yet processed (notifications, SLA timers, triage, routing): set when an
    # interface defers that work to the task worker (services.case_create), cleared by the
    # task (services.case_process_intake). Nullable so adding it to a large table is instant.
    intake_pending_since = models.DateTimeField(
        _("intake pending since"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "department"]),
            # Covers an agent's open load (triage.assignment.with_open_loads), read on every
            # automatic assignment: the index alone, not a table row per open case.
            models.Index(fields=["assignee", "status", "severity"], name="case_open_load"),
            models.Index(fields=["department", "assignee"]),
            # The queue's tabs and filters in its default order (newest first): an index
            # scan that stops after a page instead of sorting every matching case.
            models.Index(fields=["department", "created_at", "id"], name="case_queue_dept"),
            models.Index(fields=["assignee", "created_at", "id"], name="case_queue_assignee"),
            models.Index(
                fields=["department", "assignee", "created_at", "id"], name="case_queue_unassigned"
            ),
            # A status filter across departments ("all new cases"), newest first: 1M cases on
            # SQLite 2,434 -> 10 ms for the page and its count (the planner sorted every match).
            models.Index(fields=["status", "created_at", "id"], name="case_queue_status"),
            models.Index(
                fields=["department", "status", "created_at", "id"], name="case_queue_dept_status"
            ),
            # sort=due (selectors.SORTS): nearest deadline first, cases without one last.
            # "sla_due_at IS NULL" first because SQLite sorts NULLs first ascending.
            models.Index(
                F("department"),
                IsNull(F("sla_due_at"), True),
                F("sla_due_at"),
                F("id").desc(),
                name="case_queue_dept_due",
            ),
            models.Index(
                IsNull(F("sla_due_at"), True),
                F("sla_due_at"),
                F("id").desc(),
                name="case_queue_due",
            ),
            # Cases still waiting for their intake processing: a handful at any moment.
            models.Index(
                fields=["intake_pending_since"],
                condition=Q(intake_pending_since__isnull=False),
                name="case_intake_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def save(self, *args, **kwargs):
        if not self._state.adding and held_save(self, kwargs.get("update_fields")):
            return  # written with the rest of its intake processing (cases.row_writes)
        # sla_due_at belongs to the timer triggers: an update must not write back the value
        # this instance loaded (or None), which would undo a timer change made meanwhile.
        # Deferred fields stay out as well, as Django's own save() leaves them.
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            skip = self.get_deferred_fields() | {"sla_due_at"}
            kwargs["update_fields"] = [
                f.attname
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname not in skip
            ]
        super().save(*args, **kwargs)

    # Portal access: the token is an HMAC of the number and a per-case salt, so it is
    # never stored, cannot be guessed without the secret key, and is revoked by a new salt.
    def access_token(self) -> str:
        return salted_hmac(
            "tingsu.case-access", f"{self.number}:{self.access_salt}", algorithm="sha256"
        ).hexdigest()[:40]

    def check_access_token(self, token: str) -> bool:
        return bool(token) and constant_time_compare(self.access_token(), token)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    CREATED = "created", _("Case created")
    MESSAGE = "message", _("Message")
    NOTE = "note", _("Internal note")
    FIELD_CHANGED = "field_changed", _("Field changed")
    ASSIGNED = "assigned", _("Assigned")
    TRANSFERRED = "transferred", _("Transferred")
    TRANSITION = "transition", _("Status changed")
    ATTACHMENT = "attachment", _("Attachment added")
    MERGED = "merged", _("Merged")


class AuthorType(models.TextChoices):
    STAFF = "staff", _("Staff")
    CUSTOMER = "customer", _("Customer")
    SYSTEM = "system", _("System")


class CaseEvent(models.Model):
    """Append-only timeline entry."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    author_type = models.CharField(max_length=10, choices=AuthorType.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    is_public = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Timeline events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Timeline events are append-only")


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.case.created_at:%Y/%m}/{instance.case.number}/{filename}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename

"""The channels core: every inbound message, every outbound message, notification
templates and in-app staff notifications."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tingsu.cases.models import Case, Channel
from tingsu.customers.models import Customer


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


def inbound_raw_path(record: "InboundRecord", filename: str) -> str:
    now = timezone.now()
    return f"inbound/{record.channel}/{now:%Y/%m}/{filename}"


class InboundRecord(models.Model):
    """One message as it arrived on a channel. Kept even when it was rejected, with why."""

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    external_id = models.CharField(_("external id"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_records",
        verbose_name=_("case"),
    )
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_records",
        verbose_name=_("customer"),
    )
    sender = models.CharField(_("sender"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_excerpt = models.TextField(_("body excerpt"), blank=True)
    raw = models.FileField(_("raw message"), upload_to=inbound_raw_path, blank=True)
    meta = models.JSONField(_("meta"), default=dict, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="channels_inbound_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.external_id or self.pk} ({self.status})"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Dead letter")


class OutboxMessage(models.Model):
    """A message to deliver after the transaction that wrote it commits.

    Delivery is at-least-once: `idempotency_key` travels with the message (email
    Message-ID, HTTP Idempotency-Key header) so a receiver can drop a resend.
    """

    transport = models.CharField(_("transport"), max_length=32)
    recipient = models.CharField(_("recipient"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    # The id the receiver sees (the email Message-ID without brackets), for threading replies.
    external_id = models.CharField(_("external id"), max_length=255, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    # When a delivery task was last enqueued; the scheduler re-enqueues only lost ones.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=255, blank=True)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
        verbose_name=_("case"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="channels_outbox_due"),
            models.Index(fields=["status", "lease_until"], name="channels_outbox_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.transport} → {self.recipient} ({self.status})"


class NotificationEvent(models.TextChoices):
    CASE_RECEIVED = "case_received", _("Case received")
    CASE_NEEDS_INFO = "case_needs_info", _("Case needs the customer's information")
    CASE_REPLIED = "case_replied", _("Staff replied")
    CASE_RESOLVED = "case_resolved", _("Case resolved")
    CASE_REOPENED = "case_reopened", _("Case reopened")
    STAFF_ASSIGNED = "staff_assigned", _("Assigned to you")
    STAFF_MENTIONED = "staff_mentioned", _("You were mentioned")
    STAFF_TRANSFERRED = "staff_transferred", _("Transferred to your department")
    STAFF_SLA_WARNING = "staff_sla_warning", _("SLA deadline approaching")
    STAFF_SLA_BREACHED = "staff_sla_breached", _("SLA deadline breached")
    STAFF_EXTENSION_REQUESTED = "staff_extension_requested", _("Extension awaits approval")
    STAFF_EXTENSION_DECIDED = "staff_extension_decided", _("Extension request decided")


class NotificationLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class NotificationTemplate(models.Model):
    """Subject and body as Django template text, per event, transport and language."""

    event = models.CharField(_("event"), max_length=32, choices=NotificationEvent.choices)
    transport = models.CharField(_("transport"), max_length=32)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=NotificationLanguage.choices,
        default=NotificationLanguage.ZH_HANS,
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "transport", "language"]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "transport", "language"],
                name="channels_template_unique_event_transport_language",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} / {self.transport} / {self.language}"


class StaffNotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to you")
    MENTIONED = "mentioned", _("Mentioned")
    TRANSFERRED = "transferred", _("Transferred to your department")
    SLA_WARNING = "sla_warning", _("SLA deadline approaching")
    SLA_BREACHED = "sla_breached", _("SLA deadline breached")
    EXTENSION_REQUESTED = "ext_requested", _("Extension awaits approval")
    EXTENSION_DECIDED = "ext_decided", _("Extension request decided")


class StaffNotification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=StaffNotificationKind.choices)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="staff_notifications",
        verbose_name=_("case"),
    )
    text = models.CharField(_("text"), max_length=500)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("staff notification")
        verbose_name_plural = _("staff notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="channels_staffnote_unread")]

    def __str__(self) -> str:
        return self.text

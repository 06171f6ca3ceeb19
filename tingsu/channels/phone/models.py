from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tingsu.privacy.fields import EncryptedTextField


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class CallbackTask(models.Model):
    """A call that left no transcript: someone must call the customer back."""

    call_id = models.CharField(_("call id"), max_length=128, unique=True)
    # The customer's number, encrypted at rest like their contact data (privacy.crypto).
    caller = EncryptedTextField(_("caller"), max_length=32, context="callback.caller")
    called = models.CharField(_("called number"), max_length=32, blank=True)
    started_at = models.DateTimeField(_("call started at"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    recording_url = models.URLField(_("recording URL"), max_length=1000, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callback_tasks",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=CallbackStatus.choices, default=CallbackStatus.OPEN
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callback_tasks",
    )
    due_at = models.DateTimeField(_("call back by"), db_index=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("call-back task")
        verbose_name_plural = _("call-back tasks")
        indexes = [models.Index(fields=["status", "due_at"], name="channels_phone_cb_due")]

    def __str__(self) -> str:
        return f"{self.caller} ({self.call_id})"

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tingsu.privacy.fields import EncryptedTextField


class AfterProcessing(models.TextChoices):
    MARK_SEEN = "mark_seen", _("Mark as read")
    MOVE = "move", _("Move to folder")


class Mailbox(models.Model):
    """An IMAP mailbox the scheduler polls for complaints."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("SSL/TLS"), default=True)
    username = models.CharField(_("username"), max_length=255)
    # Encrypted at rest under the personal-data keys (privacy.crypto); `tingsu keys rotate`
    # re-encrypts it with the customers' contact data.
    password = EncryptedTextField(_("password"), max_length=255, context="mailbox.password")
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    after_processing = models.CharField(
        _("after processing"),
        max_length=16,
        choices=AfterProcessing.choices,
        default=AfterProcessing.MARK_SEEN,
    )
    move_to_folder = models.CharField(_("move to folder"), max_length=255, blank=True)
    poll_interval_seconds = models.PositiveIntegerField(_("poll interval (seconds)"), default=60)
    next_poll_at = models.DateTimeField(_("next poll at"), default=timezone.now, db_index=True)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.name} ({self.username}@{self.host})"

    def clean(self) -> None:
        if self.after_processing == AfterProcessing.MOVE and not self.move_to_folder.strip():
            raise ValidationError({"move_to_folder": _("Name the folder to move mail to.")})

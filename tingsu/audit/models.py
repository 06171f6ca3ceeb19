from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused too, not only per-instance ones."""

    def update(self, **kwargs):
        raise ValueError("Audit entries are append-only")

    def delete(self):
        raise ValueError("Audit entries are append-only")


class AuditEntry(models.Model):
    """Who did what to which object. Written in the same transaction as the change.

    Entries form a hash chain: `hash` is SHA-256 over the canonical content (see
    tingsu.audit.chain) including `prev_hash`, the hash of the entry with `seq - 1`.
    The database refuses UPDATE and DELETE on this table (triggers, see migrations).
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object ID"), max_length=64, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=256, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only")


class AuditChainHead(models.Model):
    """The single row holding the chain's last sequence and hash.

    Appending locks this row (select_for_update), so two transactions can never both
    extend the chain from the same entry.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditAnchor(models.Model):
    """A copy of the chain head at some moment, also written to the log for off-host keeping."""

    created_at = models.DateTimeField(_("time"), default=timezone.now)
    seq = models.PositiveBigIntegerField(_("sequence"))
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["seq", "id"]
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"

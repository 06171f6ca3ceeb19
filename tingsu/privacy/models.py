from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionPolicy(models.Model):
    """Anonymise closed cases of a category N days after they closed.

    The row without a category is the default for categories without their own.
    """

    category = models.OneToOneField(
        "cases.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="retention_policy",
        verbose_name=_("category"),
    )
    anonymise_after_days = models.PositiveIntegerField(_("anonymise after (days since close)"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(category__isnull=True),
                name="retention_one_default",
            )
        ]
        permissions = [
            ("view_pii", _("Can see personal data unmasked")),
            ("reveal_pii", _("Can reveal masked personal data, with a reason")),
        ]

    def __str__(self) -> str:
        return f"{self.category or _('Default')}: {self.anonymise_after_days}"


class CaseLegalHold(models.Model):
    """A case that retention and erasure must leave untouched (litigation, regulator)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="legal_hold", verbose_name=_("case")
    )
    reason = models.CharField(_("reason"), max_length=300)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.reason}"


class AnonymisedCase(models.Model):
    """Marks a case whose personal data was anonymised, so the job does it once."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20)  # "retention" or "erasure"
    anonymised_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.case_id} ({self.reason})"

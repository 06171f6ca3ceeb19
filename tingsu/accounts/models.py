import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tingsu.core.models import TimeStampedModel


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")
    COMPLIANCE = "compliance", _("Compliance officer")


class DataScope(models.TextChoices):
    """Which cases a staff user sees (tingsu.cases.permissions.case_scope_q)."""

    OWN = "own", _("Own cases and the department's unassigned ones")
    TEAM = "team", _("Team's cases and the department's unassigned ones")
    DEPARTMENT = "department", _("Department's cases")
    ALL = "all", _("All cases")


ROLE_DEFAULT_SCOPE = {
    Role.AGENT: DataScope.OWN,
    Role.SUPERVISOR: DataScope.DEPARTMENT,
    Role.ADMIN: DataScope.ALL,
    Role.COMPLIANCE: DataScope.ALL,
}


class Department(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Team(TimeStampedModel):
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.department} / {self.name}"


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("department"),
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("team")
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    data_scope = models.CharField(
        _("data scope"),
        max_length=20,
        choices=DataScope.choices,
        blank=True,
        help_text=_("Blank: the role's default (agent: own, supervisor: department, others: all)."),
    )
    scope_categories = models.ManyToManyField(
        "cases.Category",
        blank=True,
        related_name="+",
        verbose_name=_("limited to categories"),
        help_text=_("If set, only cases in these categories or their sub-categories."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def label(self) -> str:
        return str(self)

    @property
    def effective_scope(self) -> str:
        if self.is_superuser:
            return DataScope.ALL
        return self.data_scope or ROLE_DEFAULT_SCOPE.get(self.role, DataScope.OWN)

    @property
    def needs_two_factor(self) -> bool:
        return self.is_superuser or self.role in (Role.ADMIN, Role.COMPLIANCE)


class ApiKeyScope(models.TextChoices):
    INTAKE = "intake", _("Create complaints")
    READ = "read", _("Read complaints")
    WRITE = "write", _("Update complaints")


def hash_api_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# How stale ApiKey.last_used_at may be (see ApiKey.mark_used).
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiKey(TimeStampedModel):
    """A key for apps and mini-programs. Only its hash is stored.

    A key acts as its `user` for data scopes; intake-only keys may have no user.
    """

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("acts as user"),
        help_text=_("Reads and updates are limited to this user's data scope."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(_("rate limit per minute"), default=120)
    is_active = models.BooleanField(_("active"), default=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> tuple[str, str, str]:
        """Return (raw key, prefix, hash). The raw key is shown once."""
        raw = "tsk_" + secrets.token_urlsafe(32)
        return raw, raw[:12], hash_api_key(raw)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def mark_used(self) -> None:
        """Record that the key was used. Written at most once a minute per key (an UPDATE
        on every request is a write on the API's hot path), so `last_used_at` may be up to
        a minute behind the key's latest request."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

from django.http import Http404

from tingsu.accounts.models import Role

AUDIT_READER_ROLES = {Role.COMPLIANCE, Role.ADMIN}


def can_read_audit_trail(user) -> bool:
    """Compliance officers and administrators read, verify and export the audit trail."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.role in AUDIT_READER_ROLES)
    )


def access_audit_trail(user) -> None:
    """404, not 403, for everyone else: the page does not exist for them."""
    if not can_read_audit_trail(user):
        raise Http404

import hmac

from django.db.models import Q, QuerySet

from tingsu.accounts.models import ApiKey, Role, User, hash_api_key


def api_key_authenticate(*, raw: str) -> ApiKey | None:
    if not raw or not raw.startswith("tsk_"):
        return None
    key = (
        ApiKey.objects.select_related("user")
        .filter(prefix=raw[:12], is_active=True)
        # A key acting as a deactivated user stops working with that user.
        .filter(Q(user__isnull=True) | Q(user__is_active=True))
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, hash_api_key(raw)):
        return None
    key.mark_used()
    return key


def department_supervisors(*, department_id: int) -> QuerySet[User]:
    """The active supervisors of a department: who hears about transfers, bounces, breaches."""
    return User.objects.filter(department_id=department_id, role=Role.SUPERVISOR, is_active=True)


def user_has_confirmed_device(*, user: User) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))

import hmac

from django.db.models import Q
from django.utils import timezone

from tingsu.accounts.models import ApiKey, hash_api_key


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
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key

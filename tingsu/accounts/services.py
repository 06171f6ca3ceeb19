from django.db import transaction

from tingsu.accounts.models import ApiKey, User
from tingsu.audit.services import audit_record


@transaction.atomic
def api_key_create(
    *,
    actor: User | None,
    name: str,
    scopes: list[str],
    user: User | None = None,
    rate_limit_per_minute: int = 120,
) -> tuple[ApiKey, str]:
    """Create a key and return it with the raw secret, which is never stored."""
    raw, prefix, key_hash = ApiKey.generate()
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        key_hash=key_hash,
        scopes=scopes,
        user=user,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    audit_record(actor=actor, action="api_key.create", obj=key, changes={"scopes": scopes})
    return key, raw

from django.db import transaction
from django.utils.translation import gettext as _

from tingsu.accounts.models import ApiKey, ApiKeyScope, User
from tingsu.audit.services import audit_record
from tingsu.core.errors import ValidationFailed


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
    unknown = sorted(set(scopes) - set(ApiKeyScope.values))
    if unknown:
        raise ValidationFailed(
            _("Unknown scopes: %(scopes)s") % {"scopes": ", ".join(map(str, unknown))},
            {"scopes": [_("Use intake, read or write.")]},
        )
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

from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def check_pii_keys(app_configs, **kwargs):
    """Production must bring its own keys: the development keys derive from SECRET_KEY."""
    from tingsu.privacy.crypto import data_keyring, index_keyring

    try:
        data, index = data_keyring(), index_keyring()
    except (ImproperlyConfigured, OSError) as exc:
        return [Error(str(exc), id="privacy.E001")]
    issues = []
    if data.is_dev:
        issues.append(
            Warning(
                "Personal data is encrypted with a development key derived from SECRET_KEY.",
                hint="Set TINGSU_PII_KEYS (or TINGSU_PII_KEY_FILE), see README 'Personal data'.",
                id="privacy.W001",
            )
        )
    if index.is_dev:
        issues.append(
            Warning(
                "Phone and email lookups use a development blind index key.",
                hint="Set TINGSU_PII_INDEX_KEYS (or TINGSU_PII_INDEX_KEY_FILE).",
                id="privacy.W002",
            )
        )
    if not data.is_dev and not index.is_dev and set(data.keys.values()) & set(index.keys.values()):
        issues.append(
            Warning(
                "The blind index key equals an encryption key.",
                hint="Use separate keys for TINGSU_PII_KEYS and TINGSU_PII_INDEX_KEYS.",
                id="privacy.W003",
            )
        )
    return issues

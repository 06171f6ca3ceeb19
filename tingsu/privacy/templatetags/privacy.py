"""Template filters that mask personal data unless the viewer is cleared.

The argument is the viewer: a user (cleared by role or permission, privacy.masking) or a
boolean computed once by the view (e.g. `pii_clear`, true after an audited reveal).
    {{ customer.phone|phone_for:pii_clear }}  {{ case.subject|pii_text_for:request.user }}
"""

from django import template

from tingsu.privacy import masking

register = template.Library()


def _clear(viewer) -> bool:
    return viewer if isinstance(viewer, bool) else masking.user_sees_pii(viewer)


def _for(mask):
    def apply(value, viewer):
        if value in (None, ""):
            return value
        return value if _clear(viewer) else mask(value)

    return apply


register.filter("phone_for", _for(masking.mask_phone))
register.filter("email_for", _for(masking.mask_email))
register.filter("id_number_for", _for(masking.mask_id_number))
register.filter("bank_card_for", _for(masking.mask_bank_card))
register.filter("pii_text_for", _for(masking.mask_pii_text))
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_pii_text", masking.mask_pii_text)

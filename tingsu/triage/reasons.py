"""Why triage raised a case: stored as language-neutral codes with parameters, and put
into words when shown, so a zh-hans and an en reader each read their own language.

  {"code": "words", "list": "media", "text": "提及媒体"}  an escalation word list matched;
      shown as the list's current "reason shown" (admin-entered, like a category name),
      or the stored text if the list is gone
  {"code": "negative_sentiment"}, {"code": "vip"}, {"code": "repeat"}
  {"code": "waited", "hours": 24}
  {"code": "text", "text": "..."}  a reason stored as text before codes (see migration 0003)
"""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

WORDS = "words"
NEGATIVE_SENTIMENT = "negative_sentiment"
VIP = "vip"
REPEAT = "repeat"
WAITED = "waited"
TEXT = "text"


def reason_key(reason: Any) -> str:
    """What makes two reasons the same signal (a signal raises a case once)."""
    if not isinstance(reason, dict):
        return f"{TEXT}:{reason}"
    code = reason.get("code", TEXT)
    if code == WORDS:
        return f"{WORDS}:{reason.get('list', '')}"
    if code == WAITED:
        return f"{WAITED}:{reason.get('hours', '')}"
    if code == TEXT:
        return f"{TEXT}:{reason.get('text', '')}"
    return code


def reason_label(reason: Any, word_lists: dict[str, str] | None = None) -> str:
    """One reason in the active language. `word_lists` maps list code -> reason shown."""
    if not isinstance(reason, dict):
        return str(reason)
    code = reason.get("code")
    if code == WORDS:
        return (word_lists or {}).get(reason.get("list", "")) or reason.get("text", "")
    if code == NEGATIVE_SENTIMENT:
        return _("Negative sentiment")
    if code == VIP:
        return _("VIP")
    if code == REPEAT:
        return _("Repeat complaint")
    if code == WAITED:
        return _("Waited over %(n)d hours") % {"n": int(reason.get("hours") or 0)}
    return str(reason.get("text", ""))


def reason_labels(reasons: Iterable[Any]) -> list[str]:
    from tingsu.triage.models import EscalationWordList

    reasons = list(reasons or [])
    lists: dict[str, str] = {}
    if any(isinstance(r, dict) and r.get("code") == WORDS for r in reasons):
        lists = dict(EscalationWordList.objects.values_list("code", "reason"))
    return [label for label in (reason_label(r, lists) for r in reasons) if label]

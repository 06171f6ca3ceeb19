"""Risk signals that raise a case's severity and priority, with a short explanation.

Signals: escalation word lists (admin-editable), negative sentiment (a lexicon heuristic,
see sentiment.py), VIP tier, a repeat complaint within 30 days, and how long the customer
has already waited (when they write again on an open case). Triage only ever raises what
intake set; it never lowers it.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from tingsu.cases.models import Case, Priority, Severity
from tingsu.core.config import cached
from tingsu.customers.models import Tier
from tingsu.triage.models import EscalationWordList
from tingsu.triage.reasons import NEGATIVE_SENTIMENT, REPEAT, VIP, WAITED, WORDS, reason_key
from tingsu.triage.sentiment import sentiment_score

SEVERITY_RANK = {Severity.NORMAL: 0, Severity.URGENT: 1, Severity.MAJOR: 2}

DEFAULTS = {
    "NEGATIVE_SENTIMENT_AT": -3,  # score at or below this counts as negative
    "REPEAT_DAYS": 30,
    "WAITED_HOURS": 24,  # a customer writing again after this long: +1 priority
    "WAITED_LONG_HOURS": 72,  # after this long: +2 and at least urgent
}


def conf(name: str):
    return getattr(settings, "TINGSU_TRIAGE", {}).get(name, DEFAULTS[name])


Reason = dict[str, Any]


@dataclass
class RiskAssessment:
    severity: str
    priority: int
    reasons: list[Reason] = field(default_factory=list)
    score: int = 0


@dataclass(frozen=True)
class WordList:
    code: str
    text: str
    words: tuple[str, ...]  # lower-cased
    priority_boost: int
    raises_severity_to: str


def word_lists() -> list[WordList]:
    """The active escalation word lists, cached per process until one changes
    (tingsu.core.config)."""

    def load() -> list[WordList]:
        return [
            WordList(
                code=wl.code,
                text=wl.reason or wl.name,
                words=tuple(w.lower() for w in wl.word_list()),
                priority_boost=wl.priority_boost,
                raises_severity_to=wl.raises_severity_to,
            )
            for wl in EscalationWordList.objects.filter(is_active=True)
        ]

    return cached("triage.word_lists", load)


def _raise_severity(current: str, to: str) -> str:
    return to if SEVERITY_RANK.get(to, 0) > SEVERITY_RANK.get(current, 0) else current


def risk_assess(
    case: Case, *, waiting: bool = False, text: str | None = None, known: Collection[Reason] = ()
) -> RiskAssessment:
    """Assess a case from its current severity and priority.

    Reasons are language-neutral codes with parameters (see reasons.py), translated when
    shown. `waiting` adds the waited-time signal (the customer wrote again on an open
    case). Signals already in `known` (applied to this case before) are skipped, so a
    signal raises a case once.
    """
    severity, boost, reasons = case.severity, 0, []
    seen = {reason_key(r) for r in known}

    def signal(reason: Reason, levels: int, to: str = "") -> None:
        nonlocal severity, boost
        if reason_key(reason) in seen:
            return
        seen.add(reason_key(reason))
        reasons.append(reason)
        boost += levels
        if to:
            severity = _raise_severity(severity, to)

    text = text if text is not None else f"{case.subject}\n{case.description}"
    lowered = text.lower()
    for wl in word_lists():
        if any(w in lowered for w in wl.words):
            reason = {"code": WORDS, "list": wl.code, "text": wl.text}
            signal(reason, wl.priority_boost, wl.raises_severity_to)
    if sentiment_score(text) <= conf("NEGATIVE_SENTIMENT_AT"):
        signal({"code": NEGATIVE_SENTIMENT}, 1)
    if case.customer.tier == Tier.VIP:
        signal({"code": VIP}, 1)
    since = timezone.now() - timedelta(days=conf("REPEAT_DAYS"))
    repeat = (
        Case.objects.filter(customer_id=case.customer_id, created_at__gte=since)
        .exclude(pk=case.pk)
        .exists()
    )
    if repeat:
        signal({"code": REPEAT}, 1)
    if waiting:
        hours = (timezone.now() - case.created_at).total_seconds() / 3600
        if hours >= conf("WAITED_LONG_HOURS"):
            signal({"code": WAITED, "hours": conf("WAITED_LONG_HOURS")}, 2, Severity.URGENT)
        elif hours >= conf("WAITED_HOURS"):
            signal({"code": WAITED, "hours": conf("WAITED_HOURS")}, 1)
    priority = max(Priority.P1, int(case.priority) - boost)
    return RiskAssessment(severity=severity, priority=priority, reasons=reasons, score=boost)

"""Routing rules: ordered, first match wins (lowest order, then id). Every empty condition
matches anything; all set conditions must match."""

from dataclasses import dataclass, field
from typing import Any

from tingsu.cases.models import Case, Category
from tingsu.core.config import cached
from tingsu.triage.models import RoutingRule


@dataclass
class Complaint:
    """What rules look at; built from a case, or from the dry-run form."""

    text: str
    channel: str = ""
    category: Category | None = None
    severity: str = ""
    tier: str = ""
    custom_fields: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_case(cls, case: Case) -> "Complaint":
        return cls(
            text=f"{case.subject}\n{case.description}",
            channel=case.channel,
            category=case.category,
            severity=case.severity,
            tier=case.customer.tier,
            custom_fields=case.custom_fields or {},
        )


def _category_ids(category: Category | None) -> set[int]:
    """The category and its ancestors: a rule on a parent matches its subcategories."""
    ids: set[int] = set()
    while category is not None and category.pk not in ids:
        ids.add(category.pk)
        category = category.parent
    return ids


def rule_matches(rule: RoutingRule, c: Complaint) -> bool:
    if rule.channels and c.channel not in rule.channels:
        return False
    if rule.category_id and rule.category_id not in _category_ids(c.category):
        return False
    if rule.severities and c.severity not in rule.severities:
        return False
    if rule.tiers and c.tier not in rule.tiers:
        return False
    keywords = rule.keyword_list()
    if keywords:
        text = c.text.lower()
        if not any(k.lower() in text for k in keywords):
            return False
    if rule.custom_field_key:
        value = (c.custom_fields or {}).get(rule.custom_field_key)
        if value is None or str(value) != rule.custom_field_value:
            return False
    return True


def active_rules() -> list[RoutingRule]:
    """Active rules in order with their departments: cached per process until a rule or a
    department changes (tingsu.core.config). Read-only."""
    return cached(
        "triage.active_rules",
        lambda: list(RoutingRule.objects.filter(is_active=True).select_related("set_department")),
    )


def match_rule(c: Complaint) -> RoutingRule | None:
    for rule in active_rules():
        if rule_matches(rule, c):
            return rule
    return None

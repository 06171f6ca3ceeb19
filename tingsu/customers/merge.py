"""Staff merge two customer records that are the same person; the cases move along."""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tingsu.audit.services import audit_record
from tingsu.cases.models import Case
from tingsu.cases.permissions import check_staff_can_act
from tingsu.cases.services import Actor, cases_reassign_customer
from tingsu.core.errors import ValidationFailed
from tingsu.customers.models import Customer, Tier
from tingsu.privacy.masking import mask_email, mask_phone

IDENTITY_FIELDS = ("phone", "email", "wechat_openid", "customer_number")
TIER_RANK = {tier: rank for rank, tier in enumerate(Tier.values)}


@dataclass(frozen=True)
class MergeResult:
    target: Customer
    moved_cases: list[str]  # case numbers
    source_deleted: bool  # False: kept (something else refers to it), its identities cleared


MASKS = {"phone": mask_phone, "email": mask_email}


def _snapshot(customer: Customer) -> dict[str, Any]:
    # The audit trail is kept forever: contact data goes in masked.
    return {
        "id": customer.pk,
        "name": customer.name,
        "tier": customer.tier,
        **{f: MASKS.get(f, str)(getattr(customer, f)) for f in IDENTITY_FIELDS},
    }


def _move_other_references(source: Customer, target: Customer) -> dict[str, int]:
    """Point every other record of the person (inbound records, WeChat followers, call-back
    tasks, ...) at the target. A relation whose rows cannot move (a unique constraint) stays
    on the source, which is then kept."""
    moved: dict[str, int] = {}
    for rel in Customer._meta.related_objects:
        model = rel.related_model
        if model is Case or not rel.one_to_many:
            continue
        try:
            with transaction.atomic():
                count = model._base_manager.filter(**{rel.field.name: source}).update(
                    **{rel.field.name: target}
                )
        except IntegrityError:
            continue
        if count:
            moved[f"{model._meta.label_lower}.{rel.field.name}"] = count
    return moved


def _still_referenced(customer: Customer) -> bool:
    """Whether any row of any model (other apps' included) still points at the customer."""
    for rel in Customer._meta.related_objects:
        model = rel.related_model
        if model._base_manager.filter(**{rel.field.name: customer}).exists():
            return True
    return False


@transaction.atomic
def customer_merge(*, actor: Actor, source: Customer, target: Customer) -> MergeResult:
    """Fold `source` into `target`: its cases (and any other record pointing at it) move
    to `target`, `target`'s blank identities are filled from `source`, the higher tier
    wins. `source` is then deleted, or, when a record still refers to it, kept with its
    identities cleared so that no channel matches it again."""
    check_staff_can_act(actor.user)
    if source.pk == target.pk:
        raise ValidationFailed(
            _("A customer cannot be merged into itself."),
            {"target": [_("Choose another customer.")]},
        )
    # Fixed order, so two merges of the same pair cannot deadlock.
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise ValidationFailed(_("One of the customers no longer exists."), {})
    source, target = locked[source.pk], locked[target.pk]
    before = {"source": _snapshot(source), "target": _snapshot(target)}

    moved = cases_reassign_customer(actor=actor, source=source, target=target)
    references = _move_other_references(source, target)

    filled = {f: getattr(source, f) for f in IDENTITY_FIELDS if getattr(source, f)}
    filled = {f: v for f, v in filled.items() if not getattr(target, f)}
    updates: dict[str, Any] = dict(filled)
    if TIER_RANK.get(source.tier, 0) > TIER_RANK.get(target.tier, 0):
        updates["tier"] = source.tier
    if not target.region and source.region:
        updates["region"] = source.region
    # Identities are unique in practice: take them off the source before the target gets them.
    Customer.objects.filter(pk=source.pk).update(**{f: "" for f in IDENTITY_FIELDS})
    if updates:
        Customer.objects.filter(pk=target.pk).update(**updates)
        for field, value in updates.items():
            setattr(target, field, value)

    numbers = [c.number for c in moved]
    changes = {**before, "cases": numbers, "filled": sorted(updates), "moved": references}
    audit_record(
        actor=actor.user,
        action="customer.merge",
        obj=target,
        changes=changes,
        actor_label=actor.label,
    )
    audit_record(
        actor=actor.user,
        action="customer.merged_away",
        obj=source,
        changes={**changes, "into": target.pk},
        actor_label=actor.label,
    )
    deleted = not _still_referenced(source)
    if deleted:
        source.delete()
    return MergeResult(target=target, moved_cases=numbers, source_deleted=deleted)

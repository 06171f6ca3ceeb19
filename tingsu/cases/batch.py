"""Batch actions from the queue: each case in its own transaction, one result per case."""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from tingsu.accounts.models import Department, User
from tingsu.cases import services
from tingsu.cases.permissions import access_case
from tingsu.cases.workflow import Action
from tingsu.core.errors import TingsuError, ValidationFailed

MAX_BATCH = 200


class BatchOp(StrEnum):
    ASSIGN = "assign"
    TRANSFER = "transfer"
    TAG = "tag"
    CLOSE = "close"


@dataclass
class BatchResult:
    number: str
    ok: bool
    message: str


def case_batch(
    *,
    user: User,
    numbers: list[str],
    op: BatchOp,
    assignee: User | None = None,
    department: Department | None = None,
    reason: str = "",
    tags: list[str] | None = None,
) -> list[BatchResult]:
    try:
        op = BatchOp(op)
    except ValueError:
        raise ValidationFailed(
            _("Unknown batch action."), {"op": [_("Choose assign, transfer, tag or close.")]}
        ) from None
    actor = services.Actor.staff(user)
    numbers = list(dict.fromkeys(numbers))
    results = []
    for number in numbers[:MAX_BATCH]:
        try:
            case = access_case(user=user, number=number)
            if op == BatchOp.ASSIGN:
                if assignee is None:
                    raise ValidationFailed(_("Choose an assignee."))
                services.case_assign(actor=actor, case=case, assignee=assignee)
            elif op == BatchOp.TRANSFER:
                if department is None:
                    raise ValidationFailed(_("Choose a department."))
                services.case_transfer(actor=actor, case=case, department=department, reason=reason)
            elif op == BatchOp.TAG:
                current = list(case.tags.values_list("name", flat=True))
                services.case_update_fields(
                    actor=actor, case=case, changes={"tags": current + (tags or [])}
                )
            elif op == BatchOp.CLOSE:
                services.case_transition(actor=actor, case=case, action=Action.CLOSE)
            results.append(BatchResult(number, True, _("Done")))
        except TingsuError as exc:
            results.append(BatchResult(number, False, exc.message))
    too_many = _("Not done: at most %(n)d cases per batch.") % {"n": MAX_BATCH}
    results.extend(BatchResult(number, False, too_many) for number in numbers[MAX_BATCH:])
    return results

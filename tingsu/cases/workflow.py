"""The case state machine: which action moves a case from which states to which.

Every status change goes through `cases.services.case_transition`, which checks
this table with a conditional UPDATE, so two racing actions cannot both win.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from tingsu.cases.models import Status


class Action(StrEnum):
    START = "start"
    WAIT_CUSTOMER = "wait_customer"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"
    REJECT = "reject"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status
    label: object


S = Status
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        Transition(
            Action.START,
            frozenset({S.NEW, S.ASSIGNED, S.WAITING_CUSTOMER}),
            S.IN_PROGRESS,
            _("Start work"),
        ),
        Transition(
            Action.WAIT_CUSTOMER,
            frozenset({S.ASSIGNED, S.IN_PROGRESS}),
            S.WAITING_CUSTOMER,
            _("Wait for customer"),
        ),
        Transition(
            Action.RESOLVE,
            frozenset({S.ASSIGNED, S.IN_PROGRESS, S.WAITING_CUSTOMER}),
            S.RESOLVED,
            _("Resolve"),
        ),
        Transition(Action.CLOSE, frozenset({S.RESOLVED}), S.CLOSED, _("Close")),
        # Reopen lands in progress if someone owns the case, else back in the queue.
        Transition(Action.REOPEN, frozenset({S.RESOLVED, S.CLOSED}), S.IN_PROGRESS, _("Reopen")),
        Transition(
            Action.WITHDRAW,
            frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.WAITING_CUSTOMER}),
            S.WITHDRAWN,
            _("Withdraw"),
        ),
        Transition(Action.REJECT, frozenset({S.NEW, S.ASSIGNED}), S.REJECTED, _("Reject")),
    ]
}

# Statuses from which assignment, transfer and merging are allowed.
ACTIVE_STATUSES = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.WAITING_CUSTOMER})
FINAL_STATUSES = frozenset({S.CLOSED, S.WITHDRAWN, S.REJECTED, S.MERGED})


def available_actions(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]

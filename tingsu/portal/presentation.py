"""How a case looks to its customer: plain-language status, progress steps and timeline
entries. Staff appear by display name only; usernames never reach the portal."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tingsu.cases.models import AuthorType, Case, CaseEvent, EventKind, Status

CUSTOMER_STATUS = {
    Status.NEW: (gettext_lazy("Received"), "secondary"),
    Status.ASSIGNED: (gettext_lazy("Received"), "secondary"),
    Status.IN_PROGRESS: (gettext_lazy("Being handled"), "primary"),
    Status.WAITING_CUSTOMER: (gettext_lazy("Waiting for you"), "warning"),
    Status.RESOLVED: (gettext_lazy("Resolved"), "success"),
    Status.CLOSED: (gettext_lazy("Closed"), "dark"),
    Status.WITHDRAWN: (gettext_lazy("Withdrawn"), "secondary"),
    Status.REJECTED: (gettext_lazy("Not accepted"), "danger"),
    Status.MERGED: (gettext_lazy("Merged"), "info"),
}

# Which step of the progress bar each status sits on.
STEP_OF = {
    Status.NEW: "received",
    Status.ASSIGNED: "received",
    Status.IN_PROGRESS: "handling",
    Status.WAITING_CUSTOMER: "waiting",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "closed",
}


@dataclass
class Step:
    label: str
    state: str  # done, current or todo


@dataclass
class Entry:
    who: str
    title: str
    body: str
    created_at: datetime
    css: str
    attachments: list = field(default_factory=list)


def tracking_url(case: Case, *, name: str = "portal:track") -> str:
    return f"{reverse(name, args=[case.number])}?{urlencode({'t': case.access_token()})}"


def status_badge(case: Case) -> tuple[str, str]:
    label, colour = CUSTOMER_STATUS.get(case.status, (case.status, "secondary"))
    return str(label), colour


def progress_steps(case: Case) -> list[Step]:
    """Empty for the final statuses that are not part of the normal path."""
    current = STEP_OF.get(case.status)
    if current is None:
        return []
    steps = [("received", _("Received")), ("handling", _("Being handled"))]
    if case.status == Status.WAITING_CUSTOMER:
        steps.append(("waiting", _("Waiting for you")))
    steps += [("resolved", _("Resolved")), ("closed", _("Closed"))]
    keys = [k for k, _label in steps]
    at = keys.index(current)
    if case.status == Status.CLOSED:
        at = len(keys)  # everything is done
    return [
        Step(str(label), "done" if i < at else "current" if i == at else "todo")
        for i, (_key, label) in enumerate(steps)
    ]


def can_reopen(case: Case) -> bool:
    if case.status not in (Status.RESOLVED, Status.CLOSED):
        return False
    since = case.resolved_at or case.closed_at
    window = timedelta(days=settings.TINGSU["REOPEN_WINDOW_DAYS"])
    return since is not None and timezone.now() - since <= window


def can_add_info(case: Case) -> bool:
    return case.status not in (Status.WITHDRAWN, Status.REJECTED, Status.MERGED, Status.CLOSED)


def _staff_name(event: CaseEvent) -> str:
    user = event.author
    return (user.display_name if user else "") or _("Customer service")


def _who(event: CaseEvent) -> str:
    if event.author_type == AuthorType.CUSTOMER:
        return _("You")
    if event.author_type == AuthorType.STAFF:
        return _staff_name(event)
    return _("Tingsu")


def _status_label(value: str) -> str:
    label, _colour = CUSTOMER_STATUS.get(value, (value, ""))
    return str(label)


def _title(event: CaseEvent) -> str:
    data = event.data or {}
    if event.kind == EventKind.CREATED:
        return _("Complaint received")
    if event.kind == EventKind.MESSAGE:
        if event.author_type == AuthorType.CUSTOMER:
            return _("You added information")
        return _("Reply from %(name)s") % {"name": _staff_name(event)}
    if event.kind == EventKind.TRANSITION:
        return _("Status: %(status)s") % {"status": _status_label(data.get("to", ""))}
    if event.kind == EventKind.MERGED and data.get("into"):
        return _("Merged into case %(number)s") % {"number": data["into"]}
    return str(EventKind(event.kind).label)


def timeline_entries(events) -> list[Entry]:
    """`events` must already be the public timeline (case_timeline(public_only=True))."""
    return [
        Entry(
            who=_who(e),
            title=_title(e),
            body=e.body,
            created_at=e.created_at,
            css=f"is-{e.author_type}",
            attachments=list(e.attachments.all()),
        )
        for e in events
    ]

"""API shapes for cases. Inputs are checked here so bad data is a 422, never a 500."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, model_validator

from tingsu.api.types import Code, Email, FilterDate, JsonObject, Line, Text
from tingsu.cases.models import (
    AuthorType,
    Case,
    CaseEvent,
    Channel,
    EventKind,
    Priority,
    Severity,
    Status,
)
from tingsu.cases.selectors import SORTS, QueueTab
from tingsu.cases.workflow import Action, available_actions
from tingsu.customers.services import normalise_phone
from tingsu.privacy.masking import mask_email, mask_phone, mask_pii_text

MAX_TEXT = 20_000
TagName = Line(50, min_length=1)
Tags = Annotated[list[TagName], Field(max_length=20)]


# Inputs


class CustomerIn(Schema):
    name: Line(100) = ""
    phone: Line(32) = ""
    email: Email = ""
    customer_number: Line(64) = ""
    wechat_openid: Line(64) = ""

    @model_validator(mode="after")
    def _needs_a_contact(self) -> "CustomerIn":
        if not (
            normalise_phone(self.phone)
            or self.email.strip()
            or self.customer_number.strip()
            or self.wechat_openid.strip()
        ):
            raise ValueError(
                _(
                    "Give at least one way to reach the customer: phone, email, "
                    "customer number or WeChat openid."
                )
            )
        return self


class ComplaintIn(Schema):
    # Status, assignee, department and the like are ours to set: naming one is refused.
    model_config = ConfigDict(extra="forbid")

    customer: CustomerIn
    subject: Line(200) = ""
    description: Text(MAX_TEXT, min_length=1)
    category: Code | None = None
    severity: Severity = Severity.NORMAL
    order_number: Line(64) = ""
    tags: Tags = Field(default_factory=list)
    custom_fields: JsonObject = Field(default_factory=dict)


class CasePatchIn(Schema):
    """Only the editable fields; anything else is refused as field_not_editable."""

    model_config = ConfigDict(extra="forbid")

    subject: Line(200, min_length=1) = None  # type: ignore[assignment]
    category: Code | None = None
    severity: Severity = None  # type: ignore[assignment]
    priority: Priority = None  # type: ignore[assignment]
    tags: Tags = None  # type: ignore[assignment]
    order_number: Line(64) = None  # type: ignore[assignment]


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: Text(MAX_TEXT, min_length=1)
    internal: bool = False


class PortalMessageIn(Schema):
    """A customer adds text only; any other field (status, assignee...) is refused."""

    model_config = ConfigDict(extra="forbid")

    body: Text(MAX_TEXT, min_length=1)


class TransitionIn(Schema):
    action: Action
    resolution_code: Code | None = None
    root_cause: Code | None = None
    summary: Text(MAX_TEXT) = ""
    reason: Text(2000) = ""


class AssignmentIn(Schema):
    assignee: Text(150, min_length=1)


class TransferIn(Schema):
    department: Code
    reason: Text(2000, min_length=1)


class CaseListParams(Schema):
    tab: Literal[QueueTab.MINE, QueueTab.UNASSIGNED, QueueTab.DEPARTMENT, QueueTab.ALL] = (
        QueueTab.ALL
    )
    status: list[Status] = Field(default_factory=list)
    category: Code | None = None
    severity: Severity | None = None
    channel: Channel | None = None
    date_from: FilterDate | None = None
    date_to: FilterDate | None = None
    q: Text(200) = ""
    phone: Text(32) = Field("", description="Exact customer phone number, any format (audited)")
    open_only: bool = False
    sort: Literal[tuple(SORTS)] = "newest"  # type: ignore[valid-type]
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class PageParams(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


# Outputs


class CategoryRef(Schema):
    code: str
    name: str
    path: str


class DepartmentRef(Schema):
    code: str
    name: str


class StaffRef(Schema):
    username: str
    display_name: str


class CustomerRef(Schema):
    name: str
    phone: str
    email: str
    customer_number: str
    tier: str


class CaseOut(Schema):
    number: str
    status: Status
    status_label: str
    channel: Channel
    subject: str
    description: str
    severity: Severity
    priority: int
    category: CategoryRef | None
    department: DepartmentRef | None
    assignee: StaffRef | None
    customer: CustomerRef
    tags: list[str]
    order_number: str
    custom_fields: dict[str, Any]
    resolution_code: str | None
    root_cause: str | None
    resolution_summary: str
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    available_actions: list[str]


class CasePage(Schema):
    count: int = Field(
        description=(
            "How many complaints match. Counting stops 1,000 rows past `offset` "
            "(TINGSU_LIST_COUNT_CAP): then `count` is `offset` + 1,000, a lower bound, "
            "and `count_capped` is true."
        )
    )
    count_capped: bool = Field(
        description="True when more complaints match than `count` says (see `count`)."
    )
    limit: int
    offset: int
    items: list[CaseOut]


class IntakeOut(Schema):
    number: str
    status: Status
    tracking_url: str
    token: str
    # "pending": accepted; triage, routing and SLA timers follow within seconds (the status
    # and department may still change). "done": already processed.
    processing: Literal["pending", "done"]


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class EventOut(Schema):
    id: int
    kind: EventKind
    author_type: AuthorType
    author_name: str
    is_public: bool
    body: str
    data: dict[str, Any]
    created_at: datetime
    attachments: list[AttachmentOut]


class EventPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EventOut]


class PortalEventOut(Schema):
    kind: EventKind
    author_type: AuthorType
    author_name: str
    body: str
    data: dict[str, Any]
    created_at: datetime
    attachments: list[AttachmentOut]


class PortalCaseOut(Schema):
    number: str
    status: Status
    status_label: str
    subject: str
    category: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution_summary: str
    timeline: list[PortalEventOut]


# Renderers: plain dicts built from rows the selectors already joined.


def case_out(case: Case, *, pii_clear: bool = False) -> dict[str, Any]:
    """`pii_clear`: the caller sees personal data unmasked (privacy.masking.user_sees_pii);
    otherwise contact fields and free text are masked."""
    cat = case.category
    text = (lambda v: v) if pii_clear else mask_pii_text
    return {
        "number": case.number,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "channel": case.channel,
        "subject": text(case.subject),
        "description": text(case.description),
        "severity": case.severity,
        "priority": case.priority,
        "category": {"code": cat.code, "name": cat.name, "path": str(cat)} if cat else None,
        "department": (
            {"code": case.department.code, "name": case.department.name}
            if case.department
            else None
        ),
        "assignee": (
            {"username": case.assignee.username, "display_name": case.assignee.label}
            if case.assignee
            else None
        ),
        "customer": {
            "name": case.customer.name,
            "phone": case.customer.phone if pii_clear else mask_phone(case.customer.phone),
            "email": case.customer.email if pii_clear else mask_email(case.customer.email),
            "customer_number": case.customer.customer_number,
            "tier": case.customer.tier,
        },
        "tags": sorted(t.name for t in case.tags.all()),
        "order_number": case.order_number,
        "custom_fields": case.custom_fields or {},
        "resolution_code": case.resolution_code.code if case.resolution_code else None,
        "root_cause": case.root_cause.code if case.root_cause else None,
        "resolution_summary": text(case.resolution_summary),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "first_response_at": case.first_response_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "available_actions": [t.action.value for t in available_actions(case.status)],
    }


def intake_out(case: Case) -> dict[str, Any]:
    token = case.access_token()
    site = settings.TINGSU["SITE_URL"].rstrip("/")
    return {
        "number": case.number,
        "status": case.status,
        "tracking_url": f"{site}/portal/track/{case.number}/?t={token}",
        "token": token,
        "processing": "pending" if case.intake_pending_since else "done",
    }


def _attachments(event: CaseEvent) -> list[dict[str, Any]]:
    return [
        {"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size}
        for a in event.attachments.all()
    ]


def event_out(event: CaseEvent, *, customer_name: str) -> dict[str, Any]:
    if event.author_type == AuthorType.STAFF and event.author is not None:
        author_name = event.author.label
    elif event.author_type == AuthorType.CUSTOMER:
        author_name = customer_name
    else:
        author_name = str(_("System"))
    return {
        "id": event.pk,
        "kind": event.kind,
        "author_type": event.author_type,
        "author_name": author_name,
        "is_public": event.is_public,
        "body": event.body,
        "data": event.data or {},
        "created_at": event.created_at,
        "attachments": _attachments(event),
    }


# What a customer may see of an event's data: status moves, not internal codes.
PORTAL_EVENT_DATA = ("from", "to", "action")


def portal_event_out(event: CaseEvent, *, customer_name: str) -> dict[str, Any]:
    if event.author_type == AuthorType.STAFF:
        author_name = str(_("Customer service"))
    elif event.author_type == AuthorType.CUSTOMER:
        author_name = customer_name
    else:
        author_name = str(_("System"))
    data = event.data or {}
    return {
        "kind": event.kind,
        "author_type": event.author_type,
        "author_name": author_name,
        "body": event.body,
        "data": {k: data[k] for k in PORTAL_EVENT_DATA if k in data},
        "created_at": event.created_at,
        "attachments": _attachments(event),
    }


def portal_case_out(case: Case, events: list[CaseEvent]) -> dict[str, Any]:
    return {
        "number": case.number,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "subject": case.subject,
        "category": str(case.category) if case.category else "",
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "resolution_summary": case.resolution_summary,
        "timeline": [portal_event_out(e, customer_name=case.customer.name) for e in events],
    }

"""/api/v1/complaints: parse, call a service or selector, render. Nothing else."""

import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Status

from tingsu.accounts.models import ApiKeyScope
from tingsu.api import lookups
from tingsu.api.auth import ApiPrincipal, auth_for, principal_of
from tingsu.api.errors import AUTH_ERRORS, INPUT_ERRORS, ErrorOut
from tingsu.api.types import CASE_NUMBER_PATTERN, Text
from tingsu.cases import schemas as s
from tingsu.cases.models import AuthorType, Case, Channel, Tag
from tingsu.cases.permissions import access_case
from tingsu.cases.selectors import CaseFilters, case_list, case_timeline
from tingsu.cases.services import (
    Actor,
    case_add_message,
    case_add_note,
    case_assign,
    case_create,
    case_transfer,
    case_transition,
    case_update_fields,
)
from tingsu.core.errors import ValidationFailed
from tingsu.core.pagination import capped_count
from tingsu.customers.phones import looks_like_phone
from tingsu.customers.selectors import customer_phone_q
from tingsu.customers.services import customer_resolve
from tingsu.privacy.masking import user_sees_pii
from tingsu.privacy.services import pii_search_by_phone

router = Router(tags=["complaints"])

Number = Path(..., pattern=CASE_NUMBER_PATTERN, description="Case number, e.g. TS20261123000123")
IdempotencyKey = Header(
    "", alias="Idempotency-Key", description="Retrying with the same key never files twice."
)
NOT_FOUND = {404: ErrorOut}
CONFLICT = {409: ErrorOut}


def _actor(principal: ApiPrincipal) -> Actor:
    return Actor.staff(principal.user)


def _case(request: HttpRequest, number: str) -> Case:
    """The case if it is inside the caller's data scope; 404 otherwise."""
    return access_case(user=principal_of(request).user, number=number)


def _render(case: Case, request: HttpRequest) -> dict[str, Any]:
    # Services hand back the locked row without its relations; read it again, unscoped,
    # because a transfer may just have moved it out of the caller's scope.
    fresh = (
        Case.objects.select_related(
            "customer",
            "category",
            "category__parent",
            "assignee",
            "department",
            "resolution_code",
            "root_cause",
        )
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .get(pk=case.pk)
    )
    return s.case_out(fresh, pii_clear=user_sees_pii(principal_of(request).user))


def _idempotency_key(principal: ApiPrincipal, raw: str) -> str | None:
    # Namespaced per key (or session user) so one client cannot fetch another's case
    # by reusing its idempotency key.
    if not raw:
        return None
    digest = hashlib.sha256(f"{principal.label}\x1f{raw}".encode()).hexdigest()
    return f"api:{digest[:56]}"


@router.post(
    "/complaints",
    auth=auth_for(ApiKeyScope.INTAKE),
    response={201: s.IntakeOut, 200: s.IntakeOut, **AUTH_ERRORS, **INPUT_ERRORS},
    summary="File a complaint",
)
def complaint_create(
    request: HttpRequest,
    payload: s.ComplaintIn,
    idempotency_key: Text(200) = IdempotencyKey,
):
    """Intake from an app or mini-program. A repeated `Idempotency-Key` returns the case
    already created (200) instead of a second one (201). `processing` is "pending" while
    triage, routing and SLA timers are still to run (seconds, on the task worker): the
    status and department may change then."""
    principal = principal_of(request)
    category = lookups.category_by_code(payload.category) if payload.category else None
    with transaction.atomic():
        customer = customer_resolve(
            name=payload.customer.name,
            phone=payload.customer.phone,
            email=payload.customer.email,
            customer_number=payload.customer.customer_number,
            wechat_openid=payload.customer.wechat_openid,
        )
        if principal.user is not None and principal.key is None:
            actor = Actor.staff(principal.user)
        else:
            actor = Actor(
                author_type=AuthorType.CUSTOMER,
                label=f"customer:{customer.pk} via {principal.label}",
            )
        case, created = case_create(
            actor=actor,
            customer=customer,
            channel=Channel.API,
            subject=payload.subject,
            description=payload.description,
            category=category,
            severity=payload.severity,
            order_number=payload.order_number,
            tags=payload.tags,
            custom_fields=payload.custom_fields,
            idempotency_key=_idempotency_key(principal, idempotency_key.strip()),
            defer_processing=settings.TINGSU["INTAKE_DEFERRED"],
        )
    return Status(201 if created else 200, s.intake_out(case))


@router.get(
    "/complaints",
    auth=auth_for(ApiKeyScope.READ),
    response={200: s.CasePage, **AUTH_ERRORS, **INPUT_ERRORS},
    summary="List complaints in the caller's data scope",
)
def complaint_list(request: HttpRequest, params: Query[s.CaseListParams]):
    principal = principal_of(request)
    category = lookups.category_by_code(params.category) if params.category else None
    filters = CaseFilters(
        tab=params.tab,
        status=[str(x) for x in params.status],
        category=category.pk if category else None,
        severity=params.severity or "",
        channel=params.channel or "",
        date_from=params.date_from,
        date_to=params.date_to,
        text=params.q,
        sort=params.sort,
        open_only=params.open_only,
    )
    # Prefetched, not joined: two more joins on top of case_list's make PostgreSQL spend
    # ~40 ms planning the join order of a statement that runs in ~1 ms.
    qs: QuerySet[Case] = case_list(user=principal.user, filters=filters).prefetch_related(
        "resolution_code", "root_cause"
    )
    if params.phone:
        # Exact match through the blind index; a search by phone is an audited read.
        qs = qs.filter(customer_phone_q(params.phone, prefix="customer__"))
        pii_search_by_phone(actor=principal.user, phone=params.phone, where="api.complaints")
    elif looks_like_phone(params.q):
        pii_search_by_phone(actor=principal.user, phone=params.q, where="api.complaints")
    pii_clear = user_sees_pii(principal.user)
    items = list(qs[params.offset : params.offset + params.limit])
    counted = capped_count(qs, offset=params.offset)
    return {
        "count": counted.count,
        "count_capped": counted.capped,
        "limit": params.limit,
        "offset": params.offset,
        "items": [s.case_out(c, pii_clear=pii_clear) for c in items],
    }


@router.get(
    "/complaints/{number}",
    auth=auth_for(ApiKeyScope.READ),
    response={200: s.CaseOut, **AUTH_ERRORS, **NOT_FOUND, **INPUT_ERRORS},
    summary="One complaint",
)
def complaint_detail(request: HttpRequest, number: str = Number):
    return _render(_case(request, number), request)


@router.patch(
    "/complaints/{number}",
    auth=auth_for(ApiKeyScope.WRITE),
    response={200: s.CaseOut, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT, **INPUT_ERRORS},
    summary="Change editable fields",
)
def complaint_update(request: HttpRequest, payload: s.CasePatchIn, number: str = Number):
    """Only subject, category (by code), severity, priority, tags and order_number can be
    changed. Any other field is refused with `field_not_editable`, never silently dropped."""
    case = _case(request, number)
    changes = payload.model_dump(exclude_unset=True)
    if "category" in changes:
        code = changes["category"]
        changes["category"] = lookups.category_by_code(code) if code else None
    if "order_number" in changes and changes["order_number"] is None:
        changes["order_number"] = ""
    nulls = [f for f in ("subject", "severity", "priority", "tags") if f in changes]
    nulls = [f for f in nulls if changes[f] is None]
    if nulls:
        raise ValidationFailed(
            _("These fields cannot be empty: %(fields)s") % {"fields": ", ".join(nulls)},
            {f: [_("This field may not be null.")] for f in nulls},
        )
    if "priority" in changes:
        changes["priority"] = int(changes["priority"])
    case = case_update_fields(actor=_actor(principal_of(request)), case=case, changes=changes)
    return _render(case, request)


@router.post(
    "/complaints/{number}/messages",
    auth=auth_for(ApiKeyScope.WRITE),
    response={201: s.EventOut, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT, **INPUT_ERRORS},
    summary="Reply to the customer, or add an internal note",
)
def complaint_message(request: HttpRequest, payload: s.MessageIn, number: str = Number):
    case = _case(request, number)
    actor = _actor(principal_of(request))
    if payload.internal:
        event = case_add_note(actor=actor, case=case, body=payload.body)
    else:
        event = case_add_message(actor=actor, case=case, body=payload.body)
    return Status(201, s.event_out(event, customer_name=case.customer.name))


@router.post(
    "/complaints/{number}/transitions",
    auth=auth_for(ApiKeyScope.WRITE),
    response={200: s.CaseOut, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT, **INPUT_ERRORS},
    summary="Move the complaint through its workflow",
)
def complaint_transition(request: HttpRequest, payload: s.TransitionIn, number: str = Number):
    """Actions: start, wait_customer, resolve (needs resolution_code, root_cause and
    summary), close, reopen, withdraw, reject (needs reason). An illegal move answers
    409 `invalid_transition` and changes nothing."""
    case = _case(request, number)
    code = payload.resolution_code
    cause = payload.root_cause
    case = case_transition(
        actor=_actor(principal_of(request)),
        case=case,
        action=payload.action,
        resolution_code=lookups.resolution_code_by_code(code) if code else None,
        root_cause=lookups.root_cause_by_code(cause) if cause else None,
        summary=payload.summary,
        reason=payload.reason,
    )
    return _render(case, request)


@router.post(
    "/complaints/{number}/assignment",
    auth=auth_for(ApiKeyScope.WRITE),
    response={200: s.CaseOut, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT, **INPUT_ERRORS},
    summary="Assign the complaint to a staff member",
)
def complaint_assign(request: HttpRequest, payload: s.AssignmentIn, number: str = Number):
    case = _case(request, number)
    assignee = lookups.staff_by_username(payload.assignee)
    case = case_assign(actor=_actor(principal_of(request)), case=case, assignee=assignee)
    return _render(case, request)


@router.post(
    "/complaints/{number}/transfer",
    auth=auth_for(ApiKeyScope.WRITE),
    response={200: s.CaseOut, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT, **INPUT_ERRORS},
    summary="Transfer the complaint to another department",
)
def complaint_transfer(request: HttpRequest, payload: s.TransferIn, number: str = Number):
    case = _case(request, number)
    department = lookups.department_by_code(payload.department)
    case = case_transfer(
        actor=_actor(principal_of(request)),
        case=case,
        department=department,
        reason=payload.reason,
    )
    return _render(case, request)


@router.get(
    "/complaints/{number}/timeline",
    auth=auth_for(ApiKeyScope.READ),
    response={200: s.EventPage, **AUTH_ERRORS, **NOT_FOUND, **INPUT_ERRORS},
    summary="The complaint's timeline, internal notes included",
)
def complaint_timeline(request: HttpRequest, page: Query[s.PageParams], number: str = Number):
    case = _case(request, number)
    events = case_timeline(case=case, public_only=False)
    items = list(events[page.offset : page.offset + page.limit])
    return {
        "count": events.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": [s.event_out(e, customer_name=case.customer.name) for e in items],
    }

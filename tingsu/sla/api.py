"""/api/v1/complaints/{number}/sla: the case's deadlines, and the actions the case page
offers (pause and resume the resolution clock, ask for an extension, decide on a request).
Parse, call the SLA services, render; the services check who may act."""

from datetime import datetime
from typing import Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema

from tingsu.accounts.models import ApiKeyScope
from tingsu.api.auth import auth_for, principal_of
from tingsu.api.errors import AUTH_ERRORS, INPUT_ERRORS, ErrorOut
from tingsu.api.types import CASE_NUMBER_PATTERN, Text
from tingsu.cases.models import Case
from tingsu.cases.permissions import access_case
from tingsu.core.errors import NotFound
from tingsu.sla.extensions import (
    running_resolution_timer,
    sla_extension_decide,
    sla_extension_request,
)
from tingsu.sla.models import SlaExtensionRequest, SlaTimer
from tingsu.sla.services import sla_case_pause, sla_case_resume

router = Router(tags=["sla"])

Number = Path(..., pattern=CASE_NUMBER_PATTERN, description="Case number, e.g. TS20261123000123")
RequestId = Path(..., ge=1, le=2**63 - 1, description="The extension request's id")
ERRORS = {**AUTH_ERRORS, 404: ErrorOut, 409: ErrorOut, **INPUT_ERRORS}


class TimerOut(Schema):
    kind: str
    policy: str
    started_at: datetime
    due_at: datetime
    paused_at: datetime | None
    breached_at: datetime | None
    stopped_at: datetime | None
    extensions: int


class ExtensionRequestOut(Schema):
    id: int
    number: int
    reason: str
    status: str
    requested_by: str
    decided_by: str | None
    created_at: datetime
    decided_at: datetime | None


class SlaOut(Schema):
    case: str
    timers: list[TimerOut]
    extension_requests: list[ExtensionRequestOut]
    result: str = ""  # what an action did (see each operation)


class PauseIn(Schema):
    reason: Text(2000, min_length=1)


class ExtensionIn(Schema):
    reason: Text(2000, min_length=1)


class DecisionIn(Schema):
    decision: Literal["approve", "reject"]


def _out(case: Case, result: str = "") -> dict:
    requests = SlaExtensionRequest.objects.select_related("requested_by", "decided_by")
    timers = (
        SlaTimer.objects.filter(case=case)
        .select_related("policy")
        .prefetch_related(Prefetch("extension_requests", queryset=requests.order_by("id")))
        .order_by("started_at", "id")
    )
    timers = list(timers)
    return {
        "case": case.number,
        "result": result,
        "timers": [
            {
                "kind": t.kind,
                "policy": t.policy.key,
                "started_at": t.started_at,
                "due_at": t.due_at,
                "paused_at": t.paused_at,
                "breached_at": t.breached_at,
                "stopped_at": t.stopped_at,
                "extensions": t.extensions,
            }
            for t in timers
        ],
        "extension_requests": [
            {
                "id": r.pk,
                "number": r.number,
                "reason": r.reason,
                "status": r.status,
                "requested_by": r.requested_by.get_username(),
                "decided_by": r.decided_by.get_username() if r.decided_by else None,
                "created_at": r.created_at,
                "decided_at": r.decided_at,
            }
            for t in timers
            for r in t.extension_requests.all()
        ],
    }


def _case(request: HttpRequest, number: str) -> Case:
    return access_case(user=principal_of(request).user, number=number)


@router.get(
    "/complaints/{number}/sla",
    auth=auth_for(ApiKeyScope.READ),
    response={200: SlaOut, **ERRORS},
    summary="The complaint's deadlines and extension requests",
)
def sla_detail(request: HttpRequest, number: str = Number):
    return _out(_case(request, number))


@router.post(
    "/complaints/{number}/sla/pause",
    auth=auth_for(ApiKeyScope.WRITE),
    response={200: SlaOut, **ERRORS},
    summary="Pause the resolution clock (an outside appraisal, a test report)",
)
def sla_pause(request: HttpRequest, payload: PauseIn, number: str = Number):
    """`result` is `paused`, or `unchanged` when the clock was already paused or there is
    no running resolution deadline."""
    case = _case(request, number)
    done = sla_case_pause(case=case, user=principal_of(request).user, reason=payload.reason)
    return _out(case, "paused" if done else "unchanged")


@router.post(
    "/complaints/{number}/sla/resume",
    auth=auth_for(ApiKeyScope.WRITE),
    response={200: SlaOut, **ERRORS},
    summary="Resume a paused resolution clock; the deadline moves by the paused time",
)
def sla_resume(request: HttpRequest, number: str = Number):
    """`result` is `resumed`, or `unchanged` when the clock was not paused."""
    case = _case(request, number)
    done = sla_case_resume(case=case, user=principal_of(request).user)
    return _out(case, "resumed" if done else "unchanged")


@router.post(
    "/complaints/{number}/sla/extensions",
    auth=auth_for(ApiKeyScope.WRITE),
    response={200: SlaOut, **ERRORS},
    summary="Extend the resolution deadline under the case's regulatory policy",
)
def sla_extend(request: HttpRequest, payload: ExtensionIn, number: str = Number):
    """The first extension is granted at once (`result` `extended`). A later one is granted
    at once when the key acts as a supervisor, and otherwise waits for a supervisor's
    approval (`result` `requested`). 409 when the policy allows no further extension or a
    request already waits."""
    case = _case(request, number)
    outcome = sla_extension_request(
        timer=running_resolution_timer(case), user=principal_of(request).user, reason=payload.reason
    )
    requested = isinstance(outcome, SlaExtensionRequest)
    return _out(case, "requested" if requested else "extended")


@router.post(
    "/complaints/{number}/sla/extension-requests/{request_id}/decision",
    auth=auth_for(ApiKeyScope.WRITE),
    response={200: SlaOut, **ERRORS},
    summary="Approve or reject a waiting extension request (a supervisor of the department)",
)
def sla_extension_decision(
    request: HttpRequest, payload: DecisionIn, number: str = Number, request_id: int = RequestId
):
    case = _case(request, number)
    ext = SlaExtensionRequest.objects.filter(pk=request_id, timer__case=case).first()
    if ext is None:
        raise NotFound(_("No such extension request on this case."))
    approve = payload.decision == "approve"
    sla_extension_decide(request=ext, user=principal_of(request).user, approve=approve)
    return _out(case, "approved" if approve else "rejected")

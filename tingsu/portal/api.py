"""/api/v1/portal: the customer's token-based view of one complaint. No API key; the
case number plus its secret token is the credential, and a wrong token is a 404."""

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from tingsu.api.errors import INPUT_ERRORS, ErrorOut
from tingsu.api.types import CASE_NUMBER_PATTERN, Text
from tingsu.cases import schemas as s
from tingsu.cases.selectors import case_timeline
from tingsu.cases.services import Actor, case_add_message
from tingsu.portal.throttle import portal_access_case

router = Router(tags=["portal"])

Number = Path(..., pattern=CASE_NUMBER_PATTERN)
Token = Query("", description="The secret token from the tracking link.")
ERRORS = {404: ErrorOut, 409: ErrorOut, 429: ErrorOut, **INPUT_ERRORS}


@router.get(
    "/complaints/{number}",
    auth=None,
    response={200: s.PortalCaseOut, **ERRORS},
    summary="Track a complaint (customer view)",
)
def portal_complaint(request: HttpRequest, number: str = Number, token: Text(100) = Token):
    """Status and the public timeline. Internal notes never appear here."""
    case = portal_access_case(request, number=number, token=token)
    return s.portal_case_out(case, list(case_timeline(case=case, public_only=True)))


@router.post(
    "/complaints/{number}/messages",
    auth=None,
    response={201: s.PortalEventOut, **ERRORS},
    summary="Add information as the customer",
)
def portal_complaint_message(
    request: HttpRequest,
    payload: s.PortalMessageIn,
    number: str = Number,
    token: Text(100) = Token,
):
    case = portal_access_case(request, number=number, token=token)
    event = case_add_message(actor=Actor.customer(case.customer), case=case, body=payload.body)
    return Status(201, s.portal_event_out(event, customer_name=case.customer.name))

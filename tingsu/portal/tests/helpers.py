"""Small helpers for portal tests: URLs with the case's token, and valid form data."""

import uuid
from urllib.parse import urlencode

from django.urls import reverse

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def url(name: str, case, *, token: str | None = None, args=()) -> str:
    token = case.access_token() if token is None else token
    return f"{reverse(name, args=[case.number, *args])}?{urlencode({'t': token})}"


def complaint_data(**overrides) -> dict:
    data = {
        "name": "王小明",
        "phone": "13912345678",
        "email": "",
        "category": "",
        "subject": "",
        "description": "收到的杯子是碎的，要求退款。",
        "order_number": "JD-1001",
        "idempotency_key": str(uuid.uuid4()),
    }
    return {**data, **overrides}


def resolve(case, user, world, summary: str = "已为您办理退款，款项三日内到账。"):
    from tingsu.cases.services import Actor, case_transition

    return case_transition(
        actor=Actor.staff(user),
        case=case,
        action="resolve",
        resolution_code=world.resolution_code,
        root_cause=world.root_cause,
        summary=summary,
    )

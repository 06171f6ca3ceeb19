"""Every portal page about a case answers 404 without that case's own token."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import CaseEvent, Status
from tingsu.core.testing import make_case
from tingsu.portal.tests.helpers import PNG, url

pytestmark = pytest.mark.django_db

VIEWS = [
    ("portal:submitted", "get", {}),
    ("portal:track", "get", {}),
    ("portal:add_info", "post", {"body": "我也想看看"}),
    ("portal:reopen", "post", {}),
    ("portal:withdraw", "post", {"confirm": "on"}),
    ("portal:attachment", "get", {}),
]


@pytest.fixture
def victim(world):
    photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    return make_case(attachments=[photo], status=Status.IN_PROGRESS)


@pytest.fixture
def attacker(world):
    return make_case()


def request(client, name, method, data, victim, token):
    args = [victim.attachments.get().pk] if name == "portal:attachment" else []
    path = url(name, victim, token=token, args=args) if token is not None else None
    if path is None:
        path = reverse(name, args=[victim.number, *args])
    return getattr(client, method)(path, data)


def assert_untouched(victim):
    victim.refresh_from_db()
    assert victim.status == Status.IN_PROGRESS
    assert CaseEvent.objects.filter(case=victim).count() == 1
    assert (
        not AuditEntry.objects.exclude(action="case.create")
        .filter(object_id=str(victim.pk))
        .exists()
    )


@pytest.mark.parametrize(("name", "method", "data"), VIEWS)
def test_it_rejects_another_cases_token(client, name, method, data, victim, attacker):
    response = request(client, name, method, data, victim, attacker.access_token())
    assert response.status_code == 404
    assert_untouched(victim)


@pytest.mark.parametrize(("name", "method", "data"), VIEWS)
def test_it_rejects_a_missing_token(client, name, method, data, victim):
    response = request(client, name, method, data, victim, None)
    assert response.status_code == 404
    assert_untouched(victim)


@pytest.mark.parametrize(("name", "method", "data"), VIEWS)
def test_it_rejects_an_empty_or_forged_token(client, name, method, data, victim):
    real = victim.access_token()
    forged = real[:-1] + ("1" if real[-1] == "0" else "0")
    for token in ("", forged, "x" * 40):
        assert request(client, name, method, data, victim, token).status_code == 404
    assert_untouched(victim)


@pytest.mark.parametrize(("name", "method", "data"), VIEWS)
def test_it_rejects_an_unknown_case_number(client, name, method, data, victim):
    path = reverse(name, args=["TS19990101000001", *([1] if name == "portal:attachment" else [])])
    response = getattr(client, method)(f"{path}?t={victim.access_token()}", data)
    assert response.status_code == 404

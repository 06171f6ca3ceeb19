import pytest
from django.urls import reverse

from tingsu.core.testing import make_case
from tingsu.portal.tests.helpers import url

pytestmark = pytest.mark.django_db
HOME = reverse("portal:home")


def test_it_offers_filing_and_tracking(client, world):
    response = client.get(HOME)
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("portal:new") in body
    assert 'name="number"' in body and 'name="token"' in body and 'name="link"' in body


def test_it_opens_a_case_from_its_number_and_token(client, world):
    case = make_case()
    response = client.post(HOME, {"number": case.number, "token": case.access_token()})
    assert response.status_code == 302
    assert response["Location"] == url("portal:track", case)


def test_it_opens_a_case_from_a_pasted_link(client, world):
    case = make_case()
    link = "http://example.com" + url("portal:track", case)
    response = client.post(HOME, {"link": f"  {link} "})
    assert response["Location"] == url("portal:track", case)


def test_it_rejects_a_wrong_token_like_a_missing_case(client, world):
    case = make_case()
    other = make_case()
    response = client.post(HOME, {"number": case.number, "token": other.access_token()})
    assert response.status_code == 404
    assert "Case not found" in response.content.decode()


def test_it_explains_what_to_enter_when_the_form_is_empty(client, world):
    response = client.post(HOME, {"number": "", "token": "", "link": ""})
    assert response.status_code == 200
    assert "Enter your case number and access code" in response.content.decode()


def test_it_rejects_a_link_that_is_not_a_tracking_link(client, world):
    response = client.post(HOME, {"link": "https://example.com/something"})
    assert "does not look like a tracking link" in response.content.decode()

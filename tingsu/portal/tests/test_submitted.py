import pytest
from django.urls import reverse

from tingsu.core.testing import make_case
from tingsu.portal.tests.helpers import complaint_data, url

pytestmark = pytest.mark.django_db


def test_it_shows_the_case_number_and_an_absolute_tracking_link(client, world):
    case = make_case()
    response = client.get(url("portal:submitted", case))
    body = response.content.decode()
    assert response.status_code == 200
    assert case.number in body
    assert f"http://testserver{url('portal:track', case)}" in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_follows_the_redirect_after_filing(client, world):
    response = client.post(reverse("portal:new"), complaint_data(), follow=True)
    assert response.status_code == 200
    assert response.context["case"].number in response.content.decode()


def test_it_rejects_a_missing_token(client, world):
    case = make_case()
    response = client.get(reverse("portal:submitted", args=[case.number]))
    assert response.status_code == 404
    assert "We could not find this case." in response.content.decode()
    assert "case" not in response.context

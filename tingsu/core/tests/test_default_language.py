import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def test_an_english_browser_still_gets_the_deployment_language(client):
    response = client.get("/desk/login/", headers={"accept-language": "en-US,en;q=0.9"})
    assert response.headers["Content-Language"] == "zh-hans"
    assert zh("Log in") in response.content.decode()


def test_the_language_switch_overrides_the_default(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/desk/login/"})
    response = client.get("/desk/login/", headers={"accept-language": "zh-CN"})
    assert response.headers["Content-Language"] == "en"


def test_it_can_follow_the_browser_when_configured(client, settings):
    settings.TINGSU_LANGUAGE_FROM_BROWSER = True
    response = client.get("/desk/login/", headers={"accept-language": "en-US,en;q=0.9"})
    assert response.headers["Content-Language"] == "en"

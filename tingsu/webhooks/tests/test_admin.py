import pytest

from tingsu.core.testing import PASSWORD
from tingsu.webhooks.models import WebhookEndpoint

ADD_URL = "/admin/webhooks/webhookendpoint/add/"


@pytest.fixture
def admin_client(world, client):
    client.login(username="root", password=PASSWORD)
    return client


def _post(client, url, events=("case.created",)):
    return client.post(
        ADD_URL, {"name": "ERP", "url": url, "events": list(events), "is_active": "on"}
    )


def test_it_saves_a_public_url_with_a_generated_secret(admin_client):
    response = _post(
        admin_client, "https://93.184.215.14/tingsu", ["case.created", "case.resolved"]
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["case.created", "case.resolved"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    # The secret is shown (read-only) so the integrator can copy it.
    page = admin_client.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret in page.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://2130706433/hook",
        "ftp://93.184.215.14/hook",
    ],
)
def test_it_refuses_a_url_into_our_network(admin_client, url):
    response = _post(admin_client, url)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"]
    assert not WebhookEndpoint.objects.exists()

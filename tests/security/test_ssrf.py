"""Must-show 8: webhook URLs aimed at our own network are refused when an admin saves them,
and a public name whose server redirects to loopback is refused at delivery: the redirect
is never followed and nothing inside is reached."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.security.conftest import deliver_outbox
from tingsu.channels.models import OutboxMessage, OutboxStatus
from tingsu.core.testing import make_case
from tingsu.webhooks.models import WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db

REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.0.0.1:8000/admin/",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:a9fe:a9fe]/latest/meta-data/",  # 169.254.169.254, IPv4-mapped
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://10.255.255.254:9200/_search",
    "http://0.0.0.0:6379/",
    "http://2130706433/hook",  # decimal 127.0.0.1
    "http://0x7f000001/hook",  # hexadecimal
    "http://0177.0.0.1/hook",  # octal
    "http://017700000001/hook",  # octal, one number
    "http://127.1/hook",
    "http://localhost:5432/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_FLUSHALL",
]


def _add_endpoint(client, url: str):
    return client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"name": "ERP", "url": url, "events": [WebhookEvent.CASE_CREATED], "is_active": "on"},
    )


@pytest.mark.parametrize("url", REFUSED)
def test_an_admin_cannot_save_a_webhook_aimed_inside(client, world, url):
    client.force_login(world.root)

    response = _add_endpoint(client, url)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"]
    assert not WebhookEndpoint.objects.exists()


class _Server:
    """A real HTTP server on 127.0.0.1 recording the paths it was asked for."""

    def __init__(self, answer):
        self.paths: list[str] = []
        state = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                state.paths.append(self.path)
                status, headers = answer(state)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def internal():
    """A service on loopback that must never be reached (think: Redis, the admin)."""
    server = _Server(lambda s: (200, {}))
    yield server
    server.close()


PUBLIC_NAME = "hooks.partner.example"


@pytest.fixture
def public_redirector(settings, monkeypatch):
    """A 'public' partner server: PUBLIC_NAME is allowed by name (the test's only way to
    reach a local server) and resolves to it; it answers every POST with a 302."""
    target = {"location": ""}
    server = _Server(lambda s: (302, {"Location": target["location"]}))
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == PUBLIC_NAME:
            host = "127.0.0.1"
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    settings.TINGSU = {**settings.TINGSU, "WEBHOOK_ALLOW_HOSTS": [PUBLIC_NAME]}
    server.target = target
    yield server
    server.close()


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{port}/internal",
        "http://localhost:{port}/internal",
        "http://[::1]:{port}/internal",
        "http://2130706433:{port}/internal",
        "http://[::ffff:127.0.0.1]:{port}/internal",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_a_public_name_redirecting_to_loopback_is_not_followed(
    world, public_redirector, internal, location
):
    public_redirector.target["location"] = location.format(port=internal.port)
    WebhookEndpoint.objects.create(
        name="ERP",
        url=f"http://{PUBLIC_NAME}:{public_redirector.port}/hook",
        events=[WebhookEvent.CASE_CREATED],
    )
    make_case()

    deliver_outbox()

    message = OutboxMessage.objects.get(transport="webhook")
    assert message.status == OutboxStatus.DEAD
    assert public_redirector.paths == ["/hook"]
    assert internal.paths == []


def test_a_webhook_saved_before_the_rules_is_refused_at_delivery(world, internal):
    WebhookEndpoint.objects.create(
        name="old", url=f"http://127.0.0.1:{internal.port}/hook", events=[]
    )
    WebhookEndpoint.objects.filter(name="old").update(events=[WebhookEvent.CASE_CREATED])
    make_case()

    deliver_outbox()

    assert OutboxMessage.objects.get(transport="webhook").status == OutboxStatus.DEAD
    assert internal.paths == []

import socket

import pytest

from tingsu.channels.contracts import PermanentError, TransientError
from tingsu.webhooks.models import WebhookEndpoint, WebhookEvent
from tingsu.webhooks.ssrf import UnsafeURL
from tingsu.webhooks.transport import webhook_deliver

PAYLOAD = {"id": "e1", "event": "case.created", "case": {"number": "TS-1"}}


@pytest.fixture
def endpoint(db, receiver, allow_local):
    endpoint = WebhookEndpoint.objects.create(
        name="ERP", url=receiver.url(), events=[WebhookEvent.CASE_CREATED]
    )
    receiver.secret = endpoint.secret
    return endpoint


def test_it_posts_signed_json_with_the_event_and_delivery_headers(endpoint, receiver):
    webhook_deliver(endpoint=endpoint, payload=PAYLOAD, delivery_id="wh-1-abc")

    [got] = receiver.received
    assert got.path == "/hook"
    assert got.signature_ok
    assert got.json == PAYLOAD
    assert got.headers["X-Tingsu-Event"] == "case.created"
    assert got.headers["X-Tingsu-Delivery"] == "wh-1-abc"
    assert got.headers["Content-Type"].startswith("application/json")
    assert got.headers["Host"] == f"127.0.0.1:{receiver.port}"


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_it_reports_a_server_error_or_throttling_as_transient(endpoint, receiver, status):
    receiver.answers = [status]
    with pytest.raises(TransientError, match=str(status)):
        webhook_deliver(endpoint=endpoint, payload=PAYLOAD, delivery_id="d")


@pytest.mark.parametrize("status", [400, 401, 404, 410])
def test_it_reports_a_client_error_as_permanent(endpoint, receiver, status):
    receiver.answers = [status]
    with pytest.raises(PermanentError, match=str(status)):
        webhook_deliver(endpoint=endpoint, payload=PAYLOAD, delivery_id="d")


def test_it_reports_a_refused_connection_as_transient(endpoint):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    endpoint.url = f"http://127.0.0.1:{free_port}/hook"
    with pytest.raises(TransientError):
        webhook_deliver(endpoint=endpoint, payload=PAYLOAD, delivery_id="d")


def test_it_follows_a_redirect_to_an_allowed_host_and_posts_again(endpoint, receiver):
    receiver.answers = [(307, {"Location": "/moved"})]
    webhook_deliver(endpoint=endpoint, payload=PAYLOAD, delivery_id="d")
    assert [r.path for r in receiver.received] == ["/hook", "/moved"]
    assert receiver.received[1].signature_ok
    assert receiver.received[1].json == PAYLOAD


@pytest.mark.parametrize(
    "location",
    [
        "http://localhost:{port}/internal",
        "http://127.0.0.2:{port}/internal",
        "http://[::1]:{port}/internal",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ],
)
def test_it_refuses_a_redirect_into_our_network(endpoint, receiver, location):
    receiver.answers = [(302, {"Location": location.format(port=receiver.port)})]
    with pytest.raises(PermanentError) as refused:
        webhook_deliver(endpoint=endpoint, payload=PAYLOAD, delivery_id="d")
    assert isinstance(refused.value.__cause__, UnsafeURL)
    assert len(receiver.received) == 1


def test_it_gives_up_after_three_redirects(endpoint, receiver):
    receiver.answers = [(302, {"Location": f"/hop{i}"}) for i in range(4)]
    with pytest.raises(PermanentError):
        webhook_deliver(endpoint=endpoint, payload=PAYLOAD, delivery_id="d")
    assert len(receiver.received) == 4


def test_it_refuses_a_private_url_at_send_time_with_default_settings(db, receiver):
    endpoint = WebhookEndpoint.objects.create(name="x", url=receiver.url(), events=[])
    with pytest.raises(PermanentError) as refused:
        webhook_deliver(endpoint=endpoint, payload=PAYLOAD, delivery_id="d")
    assert isinstance(refused.value.__cause__, UnsafeURL)
    assert receiver.received == []


def test_it_connects_to_the_address_it_vetted_not_to_a_second_lookup(db, monkeypatch):
    # DNS rebinding: the first answer is public, any later one would point inside.
    lookups = []

    def rebinding_getaddrinfo(host, port, *args, **kwargs):
        lookups.append(host)
        ip = "93.184.215.14" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]

    connects = []

    def no_network(address, *args, **kwargs):
        connects.append(address)
        raise ConnectionRefusedError("no network in tests")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", no_network)
    endpoint = WebhookEndpoint.objects.create(
        name="x", url="https://hooks.example.com/in", events=[]
    )
    with pytest.raises(TransientError):
        webhook_deliver(endpoint=endpoint, payload=PAYLOAD, delivery_id="d")
    assert lookups == ["hooks.example.com"]
    assert connects == [("93.184.215.14", 443)]


def test_it_sends_the_name_as_host_while_connecting_to_the_address(
    db, receiver, settings, monkeypatch
):
    real_getaddrinfo = socket.getaddrinfo

    def fake_dns(host, port, *args, **kwargs):
        if host == "hooks.test":
            host = "127.0.0.1"
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    settings.TINGSU = {**settings.TINGSU, "WEBHOOK_ALLOW_HOSTS": ["hooks.test"]}
    endpoint = WebhookEndpoint.objects.create(
        name="x", url=receiver.url(host="hooks.test"), events=[]
    )
    receiver.secret = endpoint.secret
    webhook_deliver(endpoint=endpoint, payload=PAYLOAD, delivery_id="d")
    [got] = receiver.received
    assert got.headers["Host"] == f"hooks.test:{receiver.port}"
    assert got.signature_ok

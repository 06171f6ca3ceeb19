"""Sending SMS through the generic HTTP provider, against a real local HTTP peer."""

import socket

import pytest
from django.db import transaction

from tingsu.channels.contracts import PermanentError, TransientError
from tingsu.channels.models import OutboxMessage, OutboxStatus
from tingsu.channels.outbox import outbox_deliver, outbox_enqueue
from tingsu.channels.sms.providers import HttpSmsProvider, sms_send
from tingsu.channels.sms.tests.sms_peer import SmsPeer
from tingsu.channels.transports import get_transport


@pytest.fixture
def peer():
    with SmsPeer() as peer:
        yield peer


@pytest.fixture
def configured(settings, peer):
    settings.TINGSU = {
        **settings.TINGSU,
        "SMS_HTTP_URL": peer.url,
        "SMS_HTTP_TOKEN": "tok-123",
    }
    return peer


def test_it_posts_json_with_the_bearer_token_and_returns_the_provider_id(peer):
    provider = HttpSmsProvider(peer.url, "tok-123")
    assert provider.send("+8613812345678", "您的投诉已受理", "key-1") == "prov-1"
    [request] = peer.requests
    assert request["path"] == "/sms/send"
    assert request["json"] == {
        "to": "+8613812345678",
        "text": "您的投诉已受理",
        "idempotency_key": "key-1",
    }
    assert request["headers"]["Authorization"] == "Bearer tok-123"
    assert request["headers"]["Idempotency-Key"] == "key-1"


def test_a_2xx_without_an_id_is_still_sent(peer):
    peer.answers.append((202, {"status": "queued"}))
    assert HttpSmsProvider(peer.url).send("+8613812345678", "hi", "k") == ""
    assert "Authorization" not in peer.requests[0]["headers"]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_server_error_or_throttle_is_transient(peer, status):
    peer.answers.append((status, {"error": "busy"}))
    with pytest.raises(TransientError, match=str(status)):
        HttpSmsProvider(peer.url).send("+8613812345678", "hi", "k")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_client_error_is_permanent(peer, status):
    peer.answers.append((status, {"error": "bad number"}))
    with pytest.raises(PermanentError, match="bad number"):
        HttpSmsProvider(peer.url).send("+8613812345678", "hi", "k")


def test_a_timeout_is_transient(peer):
    peer.delay = 1.0
    with pytest.raises(TransientError):
        HttpSmsProvider(peer.url, timeout=0.2).send("+8613812345678", "hi", "k")


def test_an_unreachable_provider_is_transient():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransientError):
        HttpSmsProvider(f"http://127.0.0.1:{port}/").send("+8613812345678", "hi", "k")


def test_a_provider_url_that_is_not_http_is_refused():
    with pytest.raises(PermanentError):
        HttpSmsProvider("file:///etc/passwd")


def test_without_a_configured_provider_the_transport_fails_permanently(settings, db):
    settings.TINGSU = {**settings.TINGSU, "SMS_HTTP_URL": ""}
    message = OutboxMessage(transport="sms", recipient="+8613812345678", body="hi")
    with pytest.raises(PermanentError, match="TINGSU_SMS_HTTP_URL"):
        sms_send(message)


def test_the_sms_transport_is_registered():
    assert get_transport("sms") is sms_send


@pytest.mark.django_db(transaction=True)
def test_the_outbox_delivers_an_sms_through_the_provider(configured):
    with transaction.atomic():
        message = outbox_enqueue(
            transport="sms",
            recipient="+8613812345678",
            body="您的投诉 TS1 已受理",
            idempotency_key="sms-test-1",
        )
    assert outbox_deliver(message.pk) is True
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.provider_id == "prov-1"
    assert configured.requests[0]["json"]["idempotency_key"] == "sms-test-1"


@pytest.mark.django_db(transaction=True)
def test_the_outbox_retries_a_transient_failure_and_dead_letters_a_permanent_one(configured):
    configured.answers.extend([(503, {}), (400, {"error": "invalid number"})])
    with transaction.atomic():
        message = outbox_enqueue(
            transport="sms", recipient="+8613812345678", body="hi", idempotency_key="sms-t-2"
        )
    outbox_deliver(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and "503" in message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    outbox_deliver(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD and "invalid number" in message.last_error

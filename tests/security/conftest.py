"""Fixtures for the security suite: every test drives the running app (Django's test client
through the full middleware stack, or a real local peer) and asserts the safe outcome."""

import pytest

from tingsu.api.tests.conftest import ApiClient, anonymous, api_as, assert_error, make_key  # noqa: F401
from tingsu.channels.tests.conftest import smtp_peer, smtp_settings  # noqa: F401

EMAIL_TOKEN = "security-suite-email-token"


@pytest.fixture
def email_webhook(client, settings):
    """post(raw_mime_bytes) -> the response of the raw-MIME email webhook."""
    settings.TINGSU = {**settings.TINGSU, "EMAIL_WEBHOOK_TOKEN": EMAIL_TOKEN}

    def post(raw: bytes):
        return client.generic(
            "POST",
            "/channels/email/inbound",
            raw,
            content_type="message/rfc822",
            headers={"X-Tingsu-Token": EMAIL_TOKEN},
        )

    return post


@pytest.fixture
def staff_client(client):
    """staff_client(user) -> the test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login

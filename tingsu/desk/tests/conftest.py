import pytest

from tingsu.core.testing import make_case


@pytest.fixture(autouse=True)
def _english(_default_language, settings):
    # Assertions read our English source strings; the Chinese .po comes later.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def alice_case(world):
    """A 客服中心 case assigned to alice."""
    return make_case(department=world.service, assignee=world.alice, category=world.category)


PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def rows(response) -> list[str]:
    """Case numbers listed in the queue table, in order."""
    import re

    return re.findall(r'<tr data-number="([^"]+)"', response.content.decode())


def messages_of(response) -> list[str]:
    from django.contrib.messages import get_messages

    return [str(m) for m in get_messages(response.wsgi_request)]

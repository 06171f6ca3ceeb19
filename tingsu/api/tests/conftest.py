import json

import pytest

from tingsu.accounts.models import ApiKeyScope
from tingsu.accounts.services import api_key_create

ALL_SCOPES = [ApiKeyScope.INTAKE, ApiKeyScope.READ, ApiKeyScope.WRITE]


class ApiClient:
    """Django's test client speaking JSON with a bearer key."""

    def __init__(self, client, raw_key: str | None):
        self.client = client
        self.raw_key = raw_key

    def _headers(self, headers):
        h = dict(headers or {})
        if self.raw_key:
            h.setdefault("Authorization", f"Bearer {self.raw_key}")
        return h

    def get(self, path, params=None, headers=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers(headers))

    def _send(self, method, path, body, headers):
        return getattr(self.client, method)(
            f"/api/v1{path}",
            data=json.dumps(body) if not isinstance(body, str | bytes) else body,
            content_type="application/json",
            headers=self._headers(headers),
        )

    def post(self, path, body=None, headers=None):
        return self._send("post", path, body if body is not None else {}, headers)

    def patch(self, path, body=None, headers=None):
        return self._send("patch", path, body if body is not None else {}, headers)


@pytest.fixture
def make_key(world):
    def make(user=None, scopes=None, **kw):
        _, raw = api_key_create(
            actor=world.root,
            name="test key",
            scopes=[str(s) for s in (ALL_SCOPES if scopes is None else scopes)],
            user=user,
            **kw,
        )
        return raw

    return make


@pytest.fixture
def api_as(client, make_key):
    """api_as(user, scopes=...) -> an ApiClient with a fresh key acting as `user`."""

    def make(user=None, scopes=None, **kw):
        return ApiClient(client, make_key(user=user, scopes=scopes, **kw))

    return make


@pytest.fixture
def anonymous(client):
    return ApiClient(client, None)


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "detail"}, body
    assert body["code"] == code, body
    assert body["message"]
    return body

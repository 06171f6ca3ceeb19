"""Security headers on every kind of page, and no inline script or style in our templates
(the CSP forbids them, so one would silently stop working)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "tingsu"


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def assert_safe_headers(response):
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp.get("style-src", [])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_staff_customer_admin_and_login_pages_carry_the_headers(world, client):
    case = make_case(department=world.service, assignee=world.alice)
    for url in ["/desk/login/", "/portal/", "/portal/new/", "/admin/login/"]:
        assert_safe_headers(client.get(url))
    client.force_login(world.root)
    for url in ["/desk/", f"/desk/cases/{case.number}/", "/admin/", "/desk/account/security/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_safe_headers(response)
    assert_safe_headers(client.get("/desk/cases/TS20990101000001/"))  # a 404 too


def test_the_portal_tracking_page_carries_the_headers(world, client):
    case = make_case()
    response = client.get(f"/portal/track/{case.number}/?t={case.access_token()}")
    assert response.status_code == 200
    assert_safe_headers(response)


def test_hsts_and_secure_cookies_follow_the_settings(world, client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    response = client.post("/desk/login/", {"username": "alice", "password": "pass-for-tests-1"})
    assert response.cookies["sessionid"]["secure"]
    assert response.cookies["sessionid"]["httponly"]
    https = client.get("/desk/login/", secure=True)
    assert https["Strict-Transport-Security"].startswith("max-age=31536000")


def _templates() -> list[Path]:
    return [p for p in TEMPLATES.rglob("*.html") if "node_modules" not in p.parts]


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for path in _templates():
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            tag = match.group(0)
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path}: {tag}")
        for match in re.finditer(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", text):
            offenders.append(f"{path}: {match.group(0).strip()}")
    assert offenders == []


def test_no_template_has_inline_styles():
    offenders = [
        f"{p}: {m.group(0)}"
        for p in _templates()
        for m in re.finditer(r"<style\b|\sstyle\s*=", p.read_text())
    ]
    assert offenders == []


def test_htmx_is_told_not_to_inject_its_indicator_style(world, client):
    page = client.get("/desk/login/").content.decode()
    assert '"includeIndicatorStyles": false' in page

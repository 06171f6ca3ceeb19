"""Must-show 2: an SVG with onload and an HTML file renamed .pdf are never rendered inline.

Intake decides a file's type from its bytes and an allow-list, with size and count limits,
and stores it under a random name. Whatever is in storage (even a file that predates these
checks) leaves the desk and the portal as a download a browser will not run.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.security.conftest import portal_complaint
from tingsu.cases.models import Attachment, Case
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
    b'onload="alert(document.cookie)"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def file_complaint(client, *files):
    return client.post("/portal/new/", {**portal_complaint(), "attachments": list(files)})


@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("logo.svg", SVG, "image/svg+xml"),
        ("invoice.pdf", HTML, "application/pdf"),
        ("note.txt", HTML, "text/plain"),
        ("note.txt", SVG, "text/plain"),
        ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 60, "image/jpeg"),
        ("photo.png", HTML, "image/png"),
        ("page.html", HTML, "text/html"),
    ],
)
def test_it_refuses_active_content_whatever_it_is_called(client, world, name, content, claimed):
    response = file_complaint(client, upload(name, content, claimed))

    assert response.status_code == 200
    errors = response.context["form"].errors["attachments"]
    assert errors
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()


def test_it_refuses_more_files_than_the_limit(client, world, settings):
    settings.TINGSU = {**settings.TINGSU, "MAX_ATTACHMENTS": 2}
    files = [upload(f"p{i}.png", PNG, "image/png") for i in range(3)]

    response = file_complaint(client, *files)

    assert response.status_code == 200
    assert response.context["form"].errors["attachments"]
    assert not Case.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(client, world, settings):
    settings.TINGSU = {**settings.TINGSU, "MAX_ATTACHMENT_BYTES": 1024}

    response = file_complaint(client, upload("big.png", PNG + b"\x00" * 2048, "image/png"))

    assert response.status_code == 200
    assert response.context["form"].errors["attachments"]
    assert not Case.objects.exists()


def test_an_accepted_file_is_stored_under_a_random_name_with_our_type(client, world):
    response = file_complaint(client, upload("../../etc/杯子.png", PNG, "text/html"))

    assert response.status_code == 302
    att = Attachment.objects.get()
    assert att.filename == "杯子.png"
    assert att.content_type == "image/png"  # from the allow-list, not the claimed text/html
    stored = att.file.name.rsplit("/", 1)[-1]
    assert stored.endswith(".png") and "杯子" not in stored and len(stored) == 36


def _stored(case, name: str, content: bytes, claimed: str) -> Attachment:
    """A file already in storage, as if it came in before the checks existed."""
    att = Attachment(case=case, filename=name, content_type=claimed, size=len(content))
    att.file.save(name, ContentFile(content), save=False)
    att.save()
    return att


def _assert_download_only(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("logo.svg", SVG, "image/svg+xml"),
        ("invoice.pdf.html", HTML, "text/html"),
        ("page.htm", HTML, "text/html"),
        ("note.txt", HTML, "text/html"),
    ],
)
def test_the_desk_serves_stored_markup_only_as_a_download(client, world, name, content, claimed):
    case = make_case(department=world.service)
    att = _stored(case, name, content, claimed)
    client.force_login(world.carol)

    response = client.get(f"/desk/cases/{case.number}/attachments/{att.pk}/")

    _assert_download_only(response)


@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("logo.svg", SVG, "image/svg+xml"),
        ("page.html", HTML, "text/html"),
        ("note.txt", HTML, "text/html"),
    ],
)
def test_the_portal_serves_stored_markup_only_as_a_download(client, world, name, content, claimed):
    case = make_case()
    att = _stored(case, name, content, claimed)

    url = f"/portal/track/{case.number}/files/{att.pk}/?t={case.access_token()}"
    response = client.get(url)

    _assert_download_only(response)


def test_an_html_file_renamed_pdf_in_storage_is_never_inline(client, world):
    case = make_case(department=world.service)
    att = _stored(case, "invoice.pdf", HTML, "text/html")
    client.force_login(world.carol)

    for response in (
        client.get(f"/desk/cases/{case.number}/attachments/{att.pk}/"),
        client.get(f"/portal/track/{case.number}/files/{att.pk}/?t={case.access_token()}"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


def test_a_png_is_shown_inline_on_the_portal_and_downloaded_on_the_desk(client, world):
    case = make_case(department=world.service)
    att = _stored(case, "photo.png", PNG, "text/html")
    client.force_login(world.carol)

    portal = client.get(f"/portal/track/{case.number}/files/{att.pk}/?t={case.access_token()}")
    desk = client.get(f"/desk/cases/{case.number}/attachments/{att.pk}/")

    assert portal["Content-Type"] == "image/png"
    assert portal["Content-Disposition"].startswith("inline;")
    assert portal["X-Content-Type-Options"] == "nosniff"
    assert desk["Content-Type"] == "image/png"
    assert desk["Content-Disposition"].startswith("attachment;")


def test_a_download_needs_the_token_on_the_portal_and_scope_on_the_desk(client, world):
    case = make_case(department=world.service)
    att = _stored(case, "invoice.pdf", PDF, "application/pdf")

    assert client.get(f"/portal/track/{case.number}/files/{att.pk}/").status_code == 404
    assert client.get(f"/portal/track/{case.number}/files/{att.pk}/?t=x").status_code == 404
    client.force_login(world.erin)  # supervisor of another department
    assert client.get(f"/desk/cases/{case.number}/attachments/{att.pk}/").status_code == 404

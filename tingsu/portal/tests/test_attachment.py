import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from tingsu.cases.models import Attachment
from tingsu.core.testing import make_case
from tingsu.portal.tests.helpers import PNG, url

pytestmark = pytest.mark.django_db


def case_with_photo():
    photo = SimpleUploadedFile("破损.png", PNG, content_type="image/png")
    case = make_case(attachments=[photo])
    return case, case.attachments.get()


def test_it_serves_a_public_attachment_of_the_case(client, world):
    case, att = case_with_photo()
    response = client.get(url("portal:attachment", case, args=[att.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"


def test_it_links_attachments_from_the_timeline(client, world):
    case, att = case_with_photo()
    body = client.get(url("portal:track", case)).content.decode()
    assert url("portal:attachment", case, args=[att.pk]) in body


def test_it_hides_a_staff_only_attachment(client, world):
    case, _att = case_with_photo()
    hidden = Attachment(case=case, filename="internal.pdf", content_type="application/pdf")
    hidden.size, hidden.is_public = 10, False
    hidden.file.save("internal.pdf", ContentFile(b"%PDF-1.4 x"), save=True)
    response = client.get(url("portal:attachment", case, args=[hidden.pk]))
    assert response.status_code == 404


def test_it_hides_another_cases_attachment_behind_a_valid_token(client, world):
    _case, att = case_with_photo()
    mine = make_case()
    response = client.get(url("portal:attachment", mine, args=[att.pk]))
    assert response.status_code == 404

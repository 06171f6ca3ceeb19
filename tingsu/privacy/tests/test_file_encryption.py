"""Attachments and raw inbound messages are stored encrypted (privacy.storage) and served
as the customer sent them."""

import base64
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tingsu.cases.models import Attachment
from tingsu.channels.contracts import Identity, InboundMessage
from tingsu.channels.email.models import Mailbox
from tingsu.channels.inbound import inbound_receive
from tingsu.channels.models import InboundRecord
from tingsu.core.testing import make_case
from tingsu.portal.tests.helpers import PNG, url
from tingsu.privacy import crypto
from tingsu.privacy.rotation_more import files_status, others_rotate, others_status

pytestmark = pytest.mark.django_db

KEY_OLD = "old:" + base64.b64encode(b"O" * 32).decode()
KEY_NEW = "new:" + base64.b64encode(b"N" * 32).decode()


def on_disk(field_file) -> bytes:
    return (Path(settings.MEDIA_ROOT) / field_file.name).read_bytes()


def mailbox():
    return Mailbox.objects.create(
        name="投诉", host="imap.example.com", username="u", password="s3cret"
    )


def photo_case():
    case = make_case(attachments=[SimpleUploadedFile("破损.png", PNG, content_type="image/png")])
    return case, case.attachments.get()


def test_an_attachment_is_ciphertext_on_disk_and_the_photo_when_downloaded(client, world):
    case, att = photo_case()

    stored = on_disk(att.file)
    assert stored.startswith(crypto.FILE_MAGIC)
    assert PNG not in stored and PNG[:8] not in stored  # not even the PNG signature
    response = client.get(url("portal:attachment", case, args=[att.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert att.size == len(PNG) == default_storage.size(att.file.name)


def test_a_raw_inbound_message_is_ciphertext_on_disk_and_read_back_whole(world):
    raw = "From: 王女士 <wang@example.com>\r\n\r\n身份证 11010519491231002X".encode()

    result = inbound_receive(
        message=InboundMessage(
            channel="email",
            identity=Identity(name="王女士", email="wang@example.com"),
            external_id="<m1@example.com>",
            subject="投诉",
            body="快递丢了",
            raw=raw,
        )
    )

    record = InboundRecord.objects.get(pk=result.record_id)
    assert b"11010519491231002X" not in on_disk(record.raw)
    assert record.raw.read() == raw


def test_a_file_stored_before_encryption_is_still_served(client, world):
    case, att = photo_case()
    (Path(settings.MEDIA_ROOT) / att.file.name).write_bytes(PNG)  # as an older version wrote it

    response = client.get(url("portal:attachment", case, args=[att.pk]))

    assert b"".join(response.streaming_content) == PNG


def test_a_file_copied_under_another_name_does_not_decrypt(world):
    _case, att = photo_case()
    copy = Path(settings.MEDIA_ROOT) / "attachments" / "copied.png"
    shutil.copyfile(Path(settings.MEDIA_ROOT) / att.file.name, copy)

    with pytest.raises(crypto.DecryptionError):
        default_storage.open("attachments/copied.png").read()


def test_files_under_an_old_key_are_read_while_it_is_listed(world):
    with override_settings(TINGSU_PII_KEYS=KEY_OLD):
        name = default_storage.save("attachments/note.txt", ContentFile(b"old key"))
    assert crypto.file_key_id((Path(settings.MEDIA_ROOT) / name).read_bytes()) == "old"

    with override_settings(TINGSU_PII_KEYS=f"{KEY_NEW},{KEY_OLD}"):
        assert default_storage.open(name).read() == b"old key"
        newer = default_storage.save("attachments/note2.txt", ContentFile(b"new key"))
        assert crypto.file_key_id((Path(settings.MEDIA_ROOT) / newer).read_bytes()) == "new"

    with override_settings(TINGSU_PII_KEYS=KEY_NEW), pytest.raises(crypto.DecryptionError):
        default_storage.open(name).read()


def test_an_altered_file_is_refused_not_served_garbled(world):
    _case, att = photo_case()
    path = Path(settings.MEDIA_ROOT) / att.file.name
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))

    with pytest.raises(crypto.DecryptionError):
        Attachment.objects.get(pk=att.pk).file.open("rb").read()


def test_keys_rotate_reseals_files_and_the_mailbox_password_then_has_nothing_to_do(world, capsys):
    with override_settings(TINGSU_PII_KEYS=KEY_OLD):
        _case, att = photo_case()
        box = mailbox()
    legacy = default_storage.save("attachments/legacy.txt", ContentFile(b"x"))
    (Path(settings.MEDIA_ROOT) / legacy).write_bytes(b"stored before encryption")

    with override_settings(TINGSU_PII_KEYS=f"{KEY_NEW},{KEY_OLD}"):
        assert others_status() == {"old": 1}
        call_command("keys", "rotate")
        out = capsys.readouterr().out
        assert "Other values re-encrypted: 1" in out
        assert "files: 1 scanned, 1 re-encrypted, 0 missing" in out
        assert others_rotate().files_resealed == 0  # a second run has nothing to do

    with override_settings(TINGSU_PII_KEYS=KEY_NEW):  # the old key can go
        assert crypto.file_key_id(on_disk(att.file)) == "new"
        assert Attachment.objects.get(pk=att.pk).file.open("rb").read() == PNG
        assert Mailbox.objects.get(pk=box.pk).password == "s3cret"
        assert others_status() == {"new": 1}
    # A file that is no attachment's is not the rotation's business: left as it was.
    assert (Path(settings.MEDIA_ROOT) / legacy).read_bytes() == b"stored before encryption"


def test_the_mailbox_password_is_ciphertext_in_the_database(world):
    box = mailbox()

    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM channels_email_mailbox WHERE id = %s", [box.pk])
        [stored] = cursor.fetchone()

    assert stored.startswith("pii1:") and "s3cret" not in stored
    assert Mailbox.objects.get(pk=box.pk).password == "s3cret"


def test_keys_status_counts_the_stored_files_per_key_from_their_headers(world, capsys):
    with override_settings(TINGSU_PII_KEYS=KEY_OLD):
        photo_case()
        photo_case()
    _case, plain = photo_case()
    (Path(settings.MEDIA_ROOT) / plain.file.name).write_bytes(PNG)  # stored before encryption
    _case, gone = photo_case()
    (Path(settings.MEDIA_ROOT) / gone.file.name).unlink()

    with override_settings(TINGSU_PII_KEYS=f"{KEY_NEW},{KEY_OLD}"):
        photo_case()
        assert files_status() == {"old": 2, "new": 1, "unencrypted": 1, "missing": 1}
        call_command("keys", "status")
        out = capsys.readouterr().out
        assert "  old: 2 files" in out and "  unencrypted: 1 files" in out
        call_command("keys", "status", "--no-files")
        assert "files" not in capsys.readouterr().out

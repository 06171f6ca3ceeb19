import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, Channel, EventKind
from tingsu.cases.services import Actor, case_create
from tingsu.core.errors import ValidationFailed
from tingsu.core.testing import make_customer

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def create(customer, **kw):
    defaults = dict(
        actor=Actor.customer(customer),
        customer=customer,
        channel=Channel.PORTAL,
        subject="快递破损",
        description="外箱破损，里面的杯子碎了。",
    )
    return case_create(**{**defaults, **kw})


def test_it_numbers_cases_by_local_day_and_sequence(world):
    customer = make_customer()
    first, _ = create(customer)
    second, _ = create(customer)
    assert first.number[:2] == "TS" and len(first.number) == 16
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_it_writes_the_created_event_and_audit_entry(world):
    customer = make_customer()
    case, created = create(customer, category=world.category)
    assert created
    assert case.department == world.service  # from the category's default department
    event = CaseEvent.objects.get(case=case)
    assert event.kind == EventKind.CREATED and event.is_public
    audit = AuditEntry.objects.get(action="case.create")
    assert audit.object_id == str(case.pk)
    assert audit.changes["number"] == case.number


def test_it_returns_the_same_case_for_a_repeated_idempotency_key(world):
    customer = make_customer()
    first, created_first = create(customer, idempotency_key="form-123")
    again, created_again = create(customer, idempotency_key="form-123")
    assert created_first and not created_again
    assert first.pk == again.pk
    assert Case.objects.count() == 1


def test_it_rejects_an_overlong_description_and_saves_nothing(world):
    customer = make_customer()
    with pytest.raises(ValidationFailed) as exc:
        create(customer, description="很" * 20_001)
    assert "description" in exc.value.detail
    assert Case.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_it_rejects_a_disallowed_file_type_and_saves_nothing(world):
    customer = make_customer()
    bad = SimpleUploadedFile("invoice.exe", b"MZ\x90\x00", content_type="application/x-msdos")
    with pytest.raises(ValidationFailed) as exc:
        create(customer, attachments=[bad])
    assert "attachments" in exc.value.detail
    assert Case.objects.count() == 0


def test_it_rejects_a_file_whose_bytes_contradict_its_extension(world):
    customer = make_customer()
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00" * 10, content_type="image/png")
    with pytest.raises(ValidationFailed):
        create(customer, attachments=[fake])


def test_it_stores_attachments_on_the_created_event(world):
    customer = make_customer()
    photo = SimpleUploadedFile("破损.png", PNG, content_type="image/png")
    case, _ = create(customer, attachments=[photo])
    att = case.attachments.get()
    assert att.filename == "破损.png" and att.event.kind == EventKind.CREATED
    assert att.file.read() == PNG

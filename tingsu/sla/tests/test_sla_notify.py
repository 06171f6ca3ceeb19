"""SLA warning (assignee) and breach (supervisors) notices: an in-app row with a readable
kind, and one email through the outbox to a real SMTP peer, never a second one."""

import pytest

from tingsu.channels.models import OutboxMessage, OutboxStatus, StaffNotification
from tingsu.channels.outbox import outbox_deliver
from tingsu.sla.services import sla_claim_due

from .helpers import at, new_case, travel


def drain() -> None:
    while sla_claim_due():
        pass


def deliver_all() -> None:
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).order_by("pk")
    for pk in pending.values_list("pk", flat=True):
        outbox_deliver(pk)


@pytest.fixture
def staff_emails(world):
    for user, email in ((world.alice, "alice@corp.test"), (world.carol, "carol@corp.test")):
        user.email = email
        user.save(update_fields=["email"])
    return world


@pytest.mark.django_db
def test_the_assignee_gets_one_warning_email_per_threshold(staff_emails, smtp_settings):
    world, inbox = staff_emails, smtp_settings
    # 一般: first response due 17:00; 75% at 15:00.
    case = new_case(world, at(2025, 10, 13, 9, 0), assignee=world.alice)
    OutboxMessage.objects.all().delete()  # the intake and assignment notices
    with travel(at(2025, 10, 13, 15, 0)):
        drain()
        deliver_all()
        drain()  # a second scheduler pass finds nothing more to say
        deliver_all()
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "alice@corp.test"
    assert case.number in mail["Subject"]
    assert f"/desk/cases/{case.number}/" in mail.get_content()
    notice = StaffNotification.objects.get(user=world.alice, kind="sla_warning")
    assert notice.get_kind_display() != "sla_warning"


@pytest.mark.django_db
def test_the_supervisor_gets_one_breach_email(staff_emails, smtp_settings):
    world, inbox = staff_emails, smtp_settings
    case = new_case(world, at(2025, 10, 13, 9, 0), assignee=world.alice)
    OutboxMessage.objects.all().delete()
    with travel(at(2025, 10, 14, 12, 0)):  # long past both first-response points
        drain()
        deliver_all()
    with travel(at(2025, 10, 14, 12, 5)):
        drain()
        deliver_all()
    to_carol = [m for m in inbox.messages if m["To"] == "carol@corp.test"]
    assert len(to_carol) == 1
    assert case.number in to_carol[0]["Subject"]
    assert not [m for m in inbox.messages if m["To"] == "alice@corp.test"]
    assert StaffNotification.objects.filter(user=world.carol, kind="sla_breached").count() == 1


@pytest.mark.django_db
def test_the_notifications_page_shows_the_sla_kinds_by_name(staff_emails, client):
    world = staff_emails
    new_case(world, at(2025, 10, 13, 9, 0), assignee=world.alice)
    with travel(at(2025, 10, 14, 12, 0)):
        drain()
    client.force_login(world.carol)
    page = client.get("/desk/notifications/").content.decode()
    notice = StaffNotification.objects.get(user=world.carol, kind="sla_breached")
    assert f">{notice.get_kind_display()}</span>" in page
    assert ">sla_breached<" not in page

"""Personal data through the running app: stored encrypted, masked by role on pages and in
the API, revealed only with a reason (audited), and every unmasked read or phone search
audited with the phone number masked."""

import pytest
from django.db import connection
from django.urls import reverse

from tingsu.audit.models import AuditEntry
from tingsu.core.testing import make_case, make_customer
from tingsu.portal.presentation import tracking_url

pytestmark = pytest.mark.django_db

PHONE, EMAIL, ID_NUMBER = "13812341234", "zhang.san@example.com", "11010519491231002X"
TEXT = f"请打 {PHONE} 联系我，身份证 {ID_NUMBER}，快递单号 123456789012345678"


@pytest.fixture
def case(world):
    customer = make_customer(name="张三", phone=PHONE, email=EMAIL, id_number=ID_NUMBER)
    return make_case(customer=customer, department=world.service, description=TEXT)


def case_url(case):
    return reverse("desk:case", args=[case.number])


def test_the_database_never_holds_contact_data_in_clear(case):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM customers_customer WHERE id = %s", [case.customer_id])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert PHONE not in row and EMAIL not in row and ID_NUMBER not in row


def test_an_agent_sees_masked_contact_data_and_free_text(world, case, staff_client):
    html = staff_client(world.alice).get(case_url(case)).content.decode()
    for secret in (PHONE, EMAIL, ID_NUMBER):
        assert secret not in html
    assert "138****1234" in html and "z***@example.com" in html and "1101**********002X" in html
    assert "123456789012345678" in html  # a tracking number is not an ID card
    assert not AuditEntry.objects.filter(action="case.view_unmasked")


def test_the_agent_queue_masks_free_text_in_subjects(world, staff_client):
    customer = make_customer()
    make_case(customer=customer, department=world.service, subject=f"回电 {PHONE}")
    html = staff_client(world.alice).get(reverse("desk:queue")).content.decode()
    assert PHONE not in html and "138****1234" in html


def test_reveal_needs_a_reason_then_shows_the_data_and_is_audited(world, case, staff_client):
    client = staff_client(world.alice)
    url = reverse("privacy:case_reveal", args=[case.number])
    refused = client.post(url, {"reason": " "})
    assert refused.status_code == 400 and PHONE not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="pii.reveal")

    shown = client.post(url, {"reason": "客户要求回电"})
    html = shown.content.decode()
    assert shown.status_code == 200 and PHONE in html and EMAIL in html and ID_NUMBER in html
    entry = AuditEntry.objects.get(action="pii.reveal")
    assert entry.actor == world.alice and entry.object_id == str(case.pk)
    assert entry.changes["reason"] == "客户要求回电"
    # Only for that response: the next page view is masked again.
    assert PHONE not in client.get(case_url(case)).content.decode()


def test_reveal_outside_the_data_scope_is_a_404(world, case, staff_client):
    url = reverse("privacy:case_reveal", args=[case.number])
    response = staff_client(world.dave).post(url, {"reason": "想看看"})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="pii.reveal")


def test_a_cleared_supervisor_sees_it_and_the_view_is_audited(world, case, staff_client):
    html = staff_client(world.carol).get(case_url(case)).content.decode()
    assert PHONE in html and ID_NUMBER in html
    entry = AuditEntry.objects.get(action="case.view_unmasked")
    assert entry.actor == world.carol and entry.object_id == str(case.pk)


def test_a_phone_search_in_the_queue_finds_the_case_and_stores_only_the_masked_number(
    world, case, staff_client
):
    html = staff_client(world.alice).get(reverse("desk:queue"), {"q": "138 1234 1234"})
    assert case.number in html.content.decode()
    entry = AuditEntry.objects.get(action="customer.search_by_phone")
    assert entry.changes["phone"] == "+86138****1234" and entry.changes["where"] == "desk.queue"
    assert PHONE not in str(entry.changes)


def test_the_phone_desk_lookup_is_masked_for_agents_and_audited(world, case, staff_client):
    response = staff_client(world.alice).get(reverse("desk:phone_lookup"), {"caller": PHONE})
    html = response.content.decode()
    assert 'data-testid="caller-found"' in html and "138****1234" in html
    assert 'data-testid="caller-phone">138****1234' in html
    entry = AuditEntry.objects.get(action="customer.search_by_phone")
    assert entry.changes == {"phone": "+86138****1234", "where": "desk.phone", "results": 1}


def test_the_api_masks_for_agents_and_shows_cleared_roles(world, case, api_as):
    agent = api_as(world.alice).get(f"/complaints/{case.number}").json()
    assert agent["customer"]["phone"] == "138****1234"
    assert agent["customer"]["email"] == "z***@example.com"
    assert PHONE not in agent["description"] and "138****1234" in agent["description"]
    supervisor = api_as(world.carol).get(f"/complaints/{case.number}").json()
    assert supervisor["customer"]["phone"] == PHONE and PHONE in supervisor["description"]


def test_the_api_finds_complaints_by_phone_and_audits_the_search(world, case, api_as):
    make_case(department=world.service)
    page = api_as(world.alice).get("/complaints", {"phone": "+86-138-1234-1234"}).json()
    assert [c["number"] for c in page["items"]] == [case.number]
    assert page["items"][0]["customer"]["phone"] == "138****1234"
    entry = AuditEntry.objects.get(action="customer.search_by_phone")
    assert entry.changes["where"] == "api.complaints" and PHONE not in str(entry.changes)


def test_the_portal_shows_the_customer_their_own_case_unmasked(case, client):
    html = client.get(tracking_url(case)).content.decode()
    assert PHONE in html

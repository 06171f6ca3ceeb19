"""The desk's "new phone complaint" form and its caller look-up."""

import pytest

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import AuthorType, Case, CaseEvent, Channel, EventKind, Status
from tingsu.channels.phone.models import CallbackStatus, CallbackTask
from tingsu.core.testing import make_case, make_customer
from tingsu.customers.models import Customer, Tier

pytestmark = pytest.mark.django_db
NEW = "/desk/phone/new/"
LOOKUP = "/desk/phone/lookup/"


def form_data(**kw):
    data = {
        "caller": "138 1234 5678",
        "name": "周杰",
        "category": "",
        "severity": "urgent",
        "description": "电话里说：冰箱送来时门是凹的，要求换货。",
        "order_number": "JD-778",
        "idempotency_key": "k-phone-1",
    }
    data.update(kw)
    return data


def make_callback(**kw):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    defaults = {
        "call_id": f"cb-{CallbackTask.objects.count() + 1}",
        "caller": "+8613812345678",
        "started_at": now,
        "due_at": now + timedelta(hours=2),
    }
    return CallbackTask.objects.create(**{**defaults, **kw})


def test_the_look_up_finds_a_customer_by_a_differently_written_number(world, client):
    known = make_customer(name="周杰", phone="+8613812345678", tier=Tier.VIP)
    case = make_case(customer=known, department=world.service)  # unassigned: alice sees it
    other = make_case(customer=known, department=world.logistics)  # beyond alice's scope
    client.force_login(world.alice)

    response = client.get(LOOKUP, {"caller": "138 1234 5678"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-customer="{known.pk}"' in html
    assert 'data-testid="caller-tier">VIP<' in html
    assert case.number in html and other.number not in html
    assert 'data-testid="caller-open-count">2<' in html


def test_the_look_up_finds_a_customer_stored_with_eleven_digits(world, client):
    known = make_customer(name="王芳", phone="13812345678")
    client.force_login(world.alice)
    html = client.get(LOOKUP, {"caller": "+86 13812345678"}).content.decode()
    assert f'data-customer="{known.pk}"' in html and "王芳" in html


def test_the_look_up_says_when_nobody_has_the_number(world, client):
    client.force_login(world.alice)
    html = client.get(LOOKUP, {"caller": "139 0000 2222"}).content.decode()
    assert 'data-testid="caller-new"' in html and "+8613900002222" in html
    assert 'data-testid="caller-empty"' in client.get(LOOKUP).content.decode()


def test_the_form_page_shows_the_look_up_and_the_nav_links_to_it(world, client):
    client.force_login(world.alice)
    response = client.get(NEW, {"caller": "13812345678"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="phone-form"' in html and 'data-testid="caller-new"' in html
    assert 'value="13812345678"' in html
    assert 'href="/desk/phone/new/"' in client.get("/desk/").content.decode()


def test_it_creates_a_phone_case_for_the_known_caller_assigned_to_the_agent(world, client):
    known = make_customer(name="周杰", phone="+8613812345678")
    client.force_login(world.alice)

    response = client.post(NEW, form_data(category=world.category.pk))

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/cases/{case.number}/"
    assert case.customer == known and Customer.objects.count() == 1
    assert case.channel == Channel.PHONE
    assert case.assignee == world.alice and case.department == world.service
    assert case.status == Status.ASSIGNED
    assert case.severity == "urgent" and case.order_number == "JD-778"
    created = CaseEvent.objects.get(case=case, kind=EventKind.CREATED)
    assert created.author == world.alice and created.author_type == AuthorType.STAFF
    assert created.body.startswith("电话里说")
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNED).exists()
    assert AuditEntry.objects.filter(action="case.create", object_id=str(case.pk)).exists()
    assert AuditEntry.objects.filter(action="case.assign", object_id=str(case.pk)).exists()


def test_it_creates_the_customer_for_a_new_caller_in_canonical_form(world, client):
    client.force_login(world.alice)
    client.post(NEW, form_data(caller="0086 139-0000-3333", name="新顾客"))
    case = Case.objects.select_related("customer").get()
    assert case.customer.phone == "+8613900003333" and case.customer.name == "新顾客"


def test_the_case_starts_in_the_department_of_the_agent_who_took_the_call(world, client):
    # 商品质量 routes to 客服中心, but dave of 物流部 took the call and owns it.
    client.force_login(world.dave)
    client.post(NEW, form_data(category=world.category.pk))
    case = Case.objects.get()
    assert case.assignee == world.dave and case.department == world.logistics


def test_a_double_submit_creates_one_case(world, client):
    client.force_login(world.alice)
    client.post(NEW, form_data())
    response = client.post(NEW, form_data())
    assert response.status_code == 302
    assert Case.objects.count() == 1
    assert AuditEntry.objects.filter(action="case.create").count() == 1


def test_it_rejects_a_missing_description_on_the_form(world, client):
    client.force_login(world.alice)
    response = client.post(NEW, form_data(description=""))
    assert response.status_code == 422
    assert not Case.objects.exists()
    assert 'id="phone-form"' in response.content.decode()


def test_it_rejects_a_caller_number_without_digits(world, client):
    client.force_login(world.alice)
    response = client.post(NEW, form_data(caller="unknown"))
    assert response.status_code == 422
    assert "Enter the caller&#x27;s number." in response.content.decode()
    assert not Case.objects.exists() and not Customer.objects.exists()


def test_it_rejects_a_compliance_officer(world, client):
    client.force_login(world.quinn)
    response = client.post(NEW, form_data())
    assert response.status_code == 422
    assert "read-only" in response.content.decode()
    assert not Case.objects.exists()


def test_it_sends_anonymous_users_to_log_in(db, client):
    assert client.get(NEW)["Location"].startswith("/desk/login/")
    assert client.get(LOOKUP)["Location"].startswith("/desk/login/")


def test_a_callback_turned_into_a_case_is_done_and_points_at_the_case(world, client):
    known = make_customer(name="周杰", phone="+8613812345678")
    task = make_callback(customer=known)
    client.force_login(world.alice)

    page = client.get(NEW, {"callback": task.pk}).content.decode()
    assert 'value="+8613812345678"' in page and 'value="周杰"' in page

    client.post(NEW, form_data(callback=task.pk))
    case = Case.objects.get()
    task.refresh_from_db()
    assert task.status == CallbackStatus.DONE and task.case == case
    assert task.done_by == world.alice
    assert AuditEntry.objects.filter(action="callback.done", object_id=str(task.pk)).exists()


def test_it_rejects_a_callback_outside_the_agents_scope(world, client):
    task = make_callback(assignee=world.dave, department=world.logistics)
    client.force_login(world.alice)
    assert client.get(NEW, {"callback": task.pk}).status_code == 404
    assert client.post(NEW, form_data(callback=task.pk)).status_code == 404
    assert not Case.objects.exists()

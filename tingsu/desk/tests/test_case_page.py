import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tingsu.cases.models import Severity, Status
from tingsu.cases.services import (
    Actor,
    case_add_note,
    case_transfer,
    case_update_fields,
)
from tingsu.core.testing import make_case, make_customer
from tingsu.desk.tests.conftest import PNG
from tingsu.privacy.masking import mask_email, mask_phone

pytestmark = pytest.mark.django_db


def page(client, case):
    response = client.get(reverse("desk:case", args=[case.number]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_case_header(world, login):
    case = make_case(
        department=world.service,
        assignee=world.alice,
        category=world.subcategory,
        severity=Severity.URGENT,
        order_number="JD-778899",
        tags=["破损"],
    )
    html = page(login(world.alice), case)
    created = timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M")
    for text in [
        case.number,
        case.subject,
        "Assigned",
        "Urgent",
        "P3 normal",
        "Web portal",
        "商品质量 / 破损",
        "客服中心",
        "Alice",
        "JD-778899",
        "破损",
        created,
    ]:
        assert text in html, text


def test_it_shows_the_customer_panel_with_previous_cases(world, login):
    customer = make_customer(name="王女士", tier="vip")
    earlier = make_case(customer=customer, department=world.service)
    hidden = make_case(customer=customer, department=world.logistics)
    case = make_case(customer=customer, department=world.service, assignee=world.alice)
    html = page(login(world.alice), case)
    assert "王女士" in html and customer.phone not in html and customer.email not in html
    # An agent sees contact data masked (privacy.masking) and can reveal it with a reason.
    assert mask_phone(customer.phone) in html and mask_email(customer.email) in html
    assert 'data-testid="pii-reveal"' in html
    assert "VIP" in html
    assert 'data-testid="customer-case-count">3<' in html
    assert reverse("desk:case", args=[earlier.number]) in html
    assert hidden.number not in html


def test_it_shows_the_timeline_with_notes_changes_and_transfers(world, login):
    case = make_case(department=world.service, assignee=world.alice)
    actor = Actor.staff(world.carol)
    case_add_note(actor=actor, case=case, body="这是内部备注")
    case_update_fields(actor=actor, case=case, changes={"severity": Severity.MAJOR})
    case_transfer(actor=actor, case=case, department=world.logistics, reason="需要物流部核实")
    html = page(login(world.root), case)
    assert 'class="is-note" data-kind="note"' in html and "这是内部备注" in html
    assert "Severity: Normal → Major" in html
    assert "客服中心 → 物流部" in html and "需要物流部核实" in html
    assert "— → Alice" in html  # the assignment
    assert "Assigned → New" in html  # the transition from the transfer


def test_it_links_attachments_to_the_download_view(world, login):
    case = make_case(
        department=world.service,
        attachments=[SimpleUploadedFile("photo.png", PNG, content_type="image/png")],
    )
    bare = make_case(department=world.service)
    attachment = case.attachments.get()
    client = login(world.carol)
    url = reverse("desk:attachment", args=[case.number, attachment.pk])
    assert url in page(client, case)
    # The attachments are read only for a timeline that has some.
    assert _page_queries(client, case) == _page_queries(client, bare) + 1
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert "attachment" in response["Content-Disposition"]


def test_it_offers_only_the_status_actions_of_the_current_status(world, login):
    case = make_case(department=world.service, assignee=world.alice, status=Status.RESOLVED)
    html = page(login(world.alice), case)
    assert reverse("desk:transition", args=[case.number, "close"]) in html
    assert reverse("desk:transition", args=[case.number, "reopen"]) in html
    assert reverse("desk:transition", args=[case.number, "start"]) not in html
    assert reverse("desk:transition", args=[case.number, "resolve"]) not in html


def test_it_offers_an_agent_to_take_an_unassigned_case(world, login):
    case = make_case(department=world.service)
    html = page(login(world.alice), case)
    assert f'name="assignee" value="{world.alice.pk}"' in html
    assert "Take it" in html


def test_it_shows_a_supervisor_the_staff_of_her_department(world, login):
    case = make_case(department=world.service)
    html = page(login(world.carol), case)
    assert "Bob · 客服中心" in html
    assert "Dave · 物流部" not in html


def test_it_shows_compliance_the_case_read_only(world, login):
    case = make_case(department=world.service, assignee=world.alice)
    html = page(login(world.quinn), case)
    assert 'data-testid="read-only"' in html
    assert '<form method="post" action="/desk/cases/' not in html
    assert case.subject in html


def test_it_renders_in_the_default_language(world, login, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    case = make_case(department=world.service, assignee=world.alice)
    client = login(world.alice)
    assert '<html lang="zh-hans">' in page(client, case)
    assert client.get(reverse("desk:queue")).status_code == 200


def _page_queries(client, case) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        page(client, case)
    return len(ctx.captured_queries)


def test_its_query_count_does_not_grow_with_the_timeline_tags_or_other_cases(world, login):
    customer = make_customer()
    small = make_case(customer=customer, department=world.service, tags=["一"])
    big = make_case(customer=customer, department=world.service, tags=["一", "二", "三", "四"])
    for i in range(6):
        make_case(customer=customer, department=world.service)
        case_add_note(case=big, actor=Actor.staff(world.carol), body=f"备注 {i}")
    client = login(world.carol)
    page(client, small)  # warm the per-process caches
    few, many = _page_queries(client, small), _page_queries(client, big)
    assert few == many
    # Session, user, the case (with its customer, assignee, risk and the customer's case
    # count), tags, the configuration version (categories, departments, resolution codes,
    # root causes and SLA policies are cached), other cases, the unmasked-view audit entry
    # (lock, insert, head), the staff to assign to, timeline (attachments only when an
    # event has some), SLA timers (extension requests only when one is pending), triage
    # suggestions, nav badge.
    assert many <= 16


def test_a_resolved_case_shows_its_resolution_for_no_query_more(world, login):
    from tingsu.cases.models import Case

    customer = make_customer()
    bare = make_case(customer=customer, department=world.service)
    resolved = make_case(customer=customer, department=world.service)
    Case.objects.filter(pk=bare.pk).update(status=Status.RESOLVED)
    Case.objects.filter(pk=resolved.pk).update(
        status=Status.RESOLVED,
        resolution_code=world.resolution_code,
        root_cause=world.root_cause,
        resolution_summary="已退款",
    )
    client = login(world.carol)
    page(client, bare)  # warm the per-process caches
    html = page(client, resolved)
    assert "退款 · 包装不当" in html
    # The code and the cause come from the cached configuration.
    assert _page_queries(client, resolved) == _page_queries(client, bare)


def test_it_shows_configuration_changes_at_once(world, login):
    case = make_case(department=world.service, category=world.subcategory)
    client = login(world.carol)
    html = page(client, case)  # the configuration is now cached in this process
    logistics = f'<option value="{world.logistics.pk}">物流部</option>'
    assert "商品质量 / 破损" in html and logistics in html
    world.subcategory.name = "碎裂"
    world.subcategory.save()
    world.logistics.is_active = False
    world.logistics.save()
    html = page(client, case)
    assert "商品质量 / 碎裂" in html and "商品质量 / 破损" not in html
    assert logistics not in html  # the transfer form offers active departments only

"""The whole complaint loop in real Chromium: a customer files, an agent works the case,
the customer follows it and adds information, the agent resolves it."""

import re

import pytest
from django.utils import translation

from tingsu.cases.models import Case, EventKind, Status
from tingsu.core.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def test_a_complaint_goes_from_the_portal_to_resolved(live_server, world, new_page, output_dir):
    # 1. A customer files on the portal (mobile-sized screen, Chinese UI by default).
    customer = new_page(viewport={"width": 390, "height": 844})
    customer.goto(f"{live_server.url}/portal/new/")
    customer.fill("input[name=name]", "王小明")
    customer.fill("input[name=phone]", "13812345678")
    customer.select_option("select[name=category]", str(world.subcategory.pk))
    customer.fill("input[name=subject]", "收到的杯子是碎的")
    description = "昨天收到快递，外箱完好但玻璃杯碎成两半，要求换货。"
    customer.fill("textarea[name=description]", description)
    customer.fill("input[name=order_number]", "JD2026112300042")
    customer.set_input_files(
        "input[name=attachments]",
        files=[{"name": "破损.png", "mimeType": "image/png", "buffer": PNG}],
    )
    customer.screenshot(path=output_dir / "1-portal-form.png", full_page=True)
    customer.click("form[action$='/portal/new/'] button[type=submit]")
    number = customer.locator("[data-testid=case-number]").inner_text().strip()
    assert re.fullmatch(r"TS\d{14}", number)
    tracking_link = customer.input_value("#tracking-link")
    assert number in tracking_link and "t=" in tracking_link
    customer.screenshot(path=output_dir / "2-portal-submitted.png", full_page=True)

    # 2. An agent logs in and finds the case in the queue (unassigned in her department).
    agent = new_page(viewport={"width": 1400, "height": 900})
    agent.goto(f"{live_server.url}/desk/login/")
    agent.fill("input[name=username]", "alice")
    agent.fill("input[name=password]", PASSWORD)
    agent.click("button[type=submit]")
    agent.goto(f"{live_server.url}/desk/?tab=unassigned")
    row_link = agent.get_by_role("link", name=number)
    row_link.wait_for()
    agent.screenshot(path=output_dir / "3-desk-queue.png", full_page=True)
    row_link.click()
    agent.wait_for_url(f"**/desk/cases/{number}/")
    agent.locator("#assign-form button[type=submit]").click()
    agent.locator("[data-testid=case-assignee]").filter(has_text="Alice").wait_for()

    # 3. The agent replies; the customer sees the reply and adds information.
    reply = "您好，非常抱歉给您带来不便。请补充一张外箱照片，我们马上为您换货。"
    agent.fill("#reply-form textarea[name=body]", reply)
    agent.click("#reply-form button[type=submit]")
    agent.locator("#case-timeline, .timeline").get_by_text(reply).first.wait_for()
    agent.screenshot(path=output_dir / "4-desk-case.png", full_page=True)

    customer.goto(tracking_link)
    customer.get_by_text(reply).wait_for()
    info = "外箱照片已补充，快递单号 SF1234567890。"
    customer.fill("#portal-activity textarea[name=body]", info)
    customer.click("#portal-activity form button[type=submit]")
    customer.get_by_text(info).first.wait_for()
    customer.screenshot(path=output_dir / "5-portal-tracking.png", full_page=True)

    # 4. The agent resolves the case; the customer sees it resolved.
    agent.reload()
    agent.get_by_text(info).first.wait_for()
    agent.click("#resolve-details summary")
    agent.select_option("#resolve-form select[name=resolution_code]", str(world.resolution_code.pk))
    agent.select_option("#resolve-form select[name=root_cause]", str(world.root_cause.pk))
    summary = "已为您安排换货，新杯子将于明天送达。"
    agent.fill("#resolve-form textarea[name=summary]", summary)
    agent.click("#resolve-form button[type=submit]")
    agent.locator("[data-testid=case-status]").filter(has_text=zh(Status.RESOLVED.label)).wait_for()
    agent.screenshot(path=output_dir / "6-desk-resolved.png", full_page=True)

    customer.goto(tracking_link)
    badge = customer.locator("[data-testid=status-badge]")
    badge.wait_for()
    customer.get_by_text(summary).first.wait_for()
    customer.screenshot(path=output_dir / "7-portal-resolved.png", full_page=True)

    case = Case.objects.get(number=number)
    assert case.status == Status.RESOLVED
    assert case.assignee == world.alice
    assert case.first_response_at is not None
    kinds = list(case.events.values_list("kind", "author_type"))
    assert (EventKind.MESSAGE, "staff") in kinds
    assert (EventKind.MESSAGE, "customer") in kinds
    assert case.attachments.get().filename == "破损.png"
    assert (output_dir / "1-portal-form.png").stat().st_size > 0

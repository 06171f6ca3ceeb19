import pytest

from tingsu.cases.models import Status
from tingsu.cases.services import (
    Actor,
    case_add_message,
    case_add_note,
    case_merge,
    case_transition,
)
from tingsu.core.testing import make_case, make_customer
from tingsu.portal.tests.helpers import resolve, url

pytestmark = pytest.mark.django_db


def steps(response):
    return [(s.label, s.state) for s in response.context["steps"]]


def test_it_shows_the_public_timeline_but_never_internal_notes(client, world):
    world.alice.display_name = "客服小李"
    world.alice.save()
    case = make_case(assignee=world.alice)
    case_add_note(actor=Actor.staff(world.alice), case=case, body="内部备注：疑似职业索赔")
    case_add_message(actor=Actor.staff(world.alice), case=case, body="您好，我们正在核实。")
    response = client.get(url("portal:track", case))
    body = response.content.decode()
    assert response.status_code == 200
    assert "您好，我们正在核实。" in body
    assert "今天收到快递" in body  # the description, on the created entry
    assert "内部备注" not in body
    assert "客服小李" in body
    assert "alice" not in body  # staff appear by display name only
    assert "Internal note" not in body


def test_it_names_staff_without_a_display_name_generically(client, world):
    world.bob.display_name = ""
    world.bob.save()
    case = make_case(assignee=world.bob)
    case_add_message(actor=Actor.staff(world.bob), case=case, body="已收到")
    body = client.get(url("portal:track", case)).content.decode()
    assert "Customer service" in body
    assert "bob" not in body


def test_it_shows_the_progress_of_a_new_case(client, world):
    response = client.get(url("portal:track", make_case()))
    assert steps(response) == [
        ("Received", "current"),
        ("Being handled", "todo"),
        ("Resolved", "todo"),
        ("Closed", "todo"),
    ]
    assert response.context["badge"] == "Received"
    assert response.context["can_withdraw"] and not response.context["can_reopen"]


def test_it_adds_a_waiting_for_you_step_only_while_waiting(client, world):
    case = make_case(status=Status.WAITING_CUSTOMER)
    response = client.get(url("portal:track", case))
    assert steps(response)[2] == ("Waiting for you", "current")
    assert "We need more information from you" in response.content.decode()


def test_it_shows_the_resolution_summary_and_the_reopen_form(client, world):
    case = make_case(assignee=world.alice)
    resolve(case, world.alice, world, summary="已全额退款。")
    response = client.get(url("portal:track", case))
    body = response.content.decode()
    assert "已全额退款。" in body
    assert ("Resolved", "current") in steps(response)
    assert response.context["can_reopen"] and not response.context["can_withdraw"]
    assert url("portal:reopen", case) in body
    assert url("portal:withdraw", case) not in body


def test_it_shows_a_closed_case_as_complete(client, world):
    case = make_case(assignee=world.alice)
    resolve(case, world.alice, world)
    case_transition(actor=Actor.staff(world.alice), case=case, action="close")
    response = client.get(url("portal:track", case))
    assert all(state == "done" for _label, state in steps(response))
    assert not response.context["can_add_info"]


def test_it_shows_a_withdrawn_case_as_a_final_message(client, world):
    case = make_case()
    case_transition(actor=Actor.customer(case.customer), case=case, action="withdraw")
    response = client.get(url("portal:track", case))
    assert steps(response) == []
    assert "You withdrew this complaint" in response.content.decode()


def test_it_shows_a_rejected_case_with_its_reason(client, world):
    case = make_case()
    case_transition(
        actor=Actor.staff(world.carol), case=case, action="reject", reason="不属于本公司业务"
    )
    body = client.get(url("portal:track", case)).content.decode()
    assert "We could not accept this complaint" in body
    assert "不属于本公司业务" in body


def test_it_shows_which_case_a_merged_case_went_into(client, world):
    customer = make_customer()
    duplicate = make_case(customer=customer)
    main = make_case(customer=customer)
    case_merge(actor=Actor.staff(world.carol), case=duplicate, into=main)
    body = client.get(url("portal:track", duplicate)).content.decode()
    assert f"merged into case {main.number}" in body
    assert (
        url("portal:track", main).replace("&", "&amp;") in body or url("portal:track", main) in body
    )


def test_it_is_not_cached(client, world):
    response = client.get(url("portal:track", make_case()))
    assert "no-store" in response["Cache-Control"]

"""Skills-based assignment prefers an agent who speaks the complaint's language."""

from tingsu.core.testing import make_case
from tingsu.triage.language import detect_language, speaks
from tingsu.triage.models import DepartmentRouting, Strategy
from tingsu.triage.tests.test_assignment import agents


def test_it_reads_the_language_from_the_text():
    assert detect_language("快递晚到了一天，杯子也碎了") == "zh"
    assert detect_language("My parcel arrived late and the cup was broken") == "en"
    assert detect_language("Order shipped to 北京市朝阳区 arrived broken, please refund me") == "en"
    assert detect_language("订单 12345 的 iPhone 屏幕坏了") == "zh"
    assert detect_language("12345 !!!") == "zh"  # nothing to read: the site default


def test_an_agent_without_languages_speaks_the_default_one():
    assert speaks([], "zh")
    assert not speaks([], "en")
    assert speaks(["zh-hans", "EN"], "en")


def skills_desk(world):
    DepartmentRouting.objects.create(
        department=world.service, strategy=Strategy.SKILLS, auto_assign=True
    )
    zh = agents(world.service, "zh", 1, capacity=100, languages=["zh"])[0]
    en = agents(world.service, "en", 1, capacity=100, languages=["zh", "en"])[0]
    for u in (zh, en):
        u.triage_profile.skills.add(world.category)
    return zh, en


def test_an_english_complaint_goes_to_the_english_speaking_agent(world):
    zh, en = skills_desk(world)
    make_case(category=world.category, description="杯子碎了")  # least loaded: zh0 first
    for _ in range(3):
        case = make_case(
            category=world.category,
            subject="Broken cup",
            description="The cup I ordered arrived broken. I want a refund.",
        )
        assert case.assignee == en


def test_chinese_complaints_still_spread_over_everyone_who_speaks_chinese(world):
    zh, en = skills_desk(world)
    got = {make_case(category=world.category, description="杯子碎了").assignee for _ in range(4)}
    assert got == {zh, en}


def test_with_no_english_speaker_the_skilled_agent_still_gets_it(world):
    DepartmentRouting.objects.create(
        department=world.service, strategy=Strategy.SKILLS, auto_assign=True
    )
    zh = agents(world.service, "zh", 1, capacity=100, languages=["zh"])[0]
    zh.triage_profile.skills.add(world.category)
    case = make_case(category=world.category, subject="Broken", description="It is broken.")
    assert case.assignee == zh


def test_a_complaint_without_a_category_is_assigned_by_language(world):
    zh, en = skills_desk(world)
    case = make_case(
        department=world.service, subject="Late parcel", description="Where is my parcel?"
    )
    assert case.category_id is None
    assert case.assignee == en

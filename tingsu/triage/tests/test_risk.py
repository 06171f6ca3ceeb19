from datetime import timedelta

import time_machine
from django.utils import timezone

from tingsu.cases.models import EventKind, Priority, Severity
from tingsu.cases.services import Actor, case_add_message
from tingsu.core.testing import make_case, make_customer
from tingsu.customers.models import Tier
from tingsu.triage.models import CaseRisk, EscalationWordList
from tingsu.triage.risk import risk_assess
from tingsu.triage.sentiment import sentiment_score
from tingsu.triage.tests.helpers import audits, events


def test_a_plain_complaint_keeps_what_intake_set(world):
    case = make_case(description="快递晚到了一天，请问什么时候能送到？")
    assert (case.severity, case.priority) == (Severity.NORMAL, Priority.P3)
    assert not CaseRisk.objects.filter(case=case).exists()
    assert not events(case, EventKind.FIELD_CHANGED).exists()


def test_it_raises_priority_and_severity_for_media_words(world):
    case = make_case(description="再不处理我就找记者曝光，发到微博上。")
    assert case.severity == Severity.URGENT
    assert case.priority == Priority.P2
    assert CaseRisk.objects.get(case=case).labels() == ["提及媒体"]
    changed = {e.data["field"]: e for e in events(case, EventKind.FIELD_CHANGED)}
    assert changed["priority"].data["new"] == Priority.P2
    assert changed["severity"].data["new"] == Severity.URGENT
    entry = audits(case, "case.update").get()
    assert entry.actor_label == "triage"


def test_each_seeded_word_list_matches_its_words(world):
    for text, reason in [
        ("我要去法院起诉你们", "威胁起诉"),
        ("已经打了12315", "提及监管"),
        ("I will report you to the CFPB", "提及监管"),
        ("孩子用了之后过敏，还受伤了", "安全健康风险"),
        ("I hired a lawyer", "威胁起诉"),
    ]:
        case = make_case(description=text)
        assert reason in CaseRisk.objects.get(case=case).labels(), text


def test_safety_words_make_it_major_and_two_levels_higher(world):
    case = make_case(description="充电宝起火了，差点爆炸")
    assert case.severity == Severity.MAJOR
    assert case.priority == Priority.P1


def test_word_lists_are_editable_and_can_be_switched_off(world):
    EscalationWordList.objects.filter(code="media").update(is_active=False)
    case = make_case(description="我要找记者")
    assert case.priority == Priority.P3
    EscalationWordList.objects.create(
        code="brand", name="Brand", reason="品牌风险", words="代言人", priority_boost=1
    )
    case = make_case(description="你们的代言人知道吗")
    assert CaseRisk.objects.get(case=case).labels() == ["品牌风险"]


def test_the_lexicon_scores_negative_and_positive_text():
    assert sentiment_score("太差了，垃圾，骗子，非常失望") <= -3
    assert sentiment_score("服务很好，谢谢，非常满意") > 0
    assert sentiment_score("This is the worst, a total scam, very disappointed") <= -3
    assert sentiment_score("not bad") > 0
    assert sentiment_score("不满意") < 0


def test_strong_negative_sentiment_raises_priority(world):
    case = make_case(description="太差了，垃圾服务，骗子公司，非常失望！")
    assert case.priority == Priority.P2
    assert CaseRisk.objects.get(case=case).reasons == [{"code": "negative_sentiment"}]


def test_a_vip_customer_gets_a_higher_priority(world):
    case = make_case(customer=make_customer(tier=Tier.VIP), description="订单没有发货")
    assert case.priority == Priority.P2
    assert CaseRisk.objects.get(case=case).reasons == [risk_assess(case).reasons[0]]


def test_a_repeat_complaint_within_30_days_raises_priority(world):
    customer = make_customer()
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        make_case(customer=customer, description="第一次")
    assert make_case(customer=customer, description="第二次").priority == Priority.P3
    third = make_case(customer=customer, description="第三次")
    assert third.priority == Priority.P2
    assert len(CaseRisk.objects.get(case=third).reasons) == 1


def test_signals_add_up_and_the_case_page_explains_them(world, client):
    customer = make_customer(tier=Tier.VIP)
    make_case(customer=customer, description="第一次")
    case = make_case(customer=customer, description="我要找记者曝光", department=world.service)
    assert case.priority == Priority.P1
    client.force_login(world.carol)
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    reasons = CaseRisk.objects.get(case=case).labels()
    assert len(reasons) == 3
    assert " + ".join(reasons) in page
    assert "提及媒体" in page


def test_a_customer_who_waited_long_and_writes_again_gets_a_higher_priority(world):
    customer = make_customer()
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=30)):
        case = make_case(customer=customer, description="快递没到")
    case_add_message(actor=Actor.customer(customer), case=case, body="还是没到")
    case.refresh_from_db()
    assert case.priority == Priority.P2
    assert len(CaseRisk.objects.get(case=case).reasons) == 1
    case_add_message(actor=Actor.customer(customer), case=case, body="还是没到")
    case.refresh_from_db()
    assert case.priority == Priority.P2  # the same signal does not raise it twice


def test_it_never_lowers_what_intake_set(world):
    case = make_case(description="我要找记者", severity=Severity.MAJOR, priority=Priority.P1)
    assert (case.severity, case.priority) == (Severity.MAJOR, Priority.P1)
    assert not events(case, EventKind.FIELD_CHANGED).exists()
    assert CaseRisk.objects.get(case=case).labels() == ["提及媒体"]

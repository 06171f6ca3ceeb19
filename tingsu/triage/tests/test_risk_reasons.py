"""Risk reasons are stored as codes and put into words for each reader's language."""

import importlib

from django.apps import apps as django_apps
from django.utils import translation

from tingsu.core.testing import make_case, make_customer
from tingsu.customers.models import Tier
from tingsu.triage.models import CaseRisk, EscalationWordList
from tingsu.triage.reasons import reason_labels

migration = importlib.import_module("tingsu.triage.migrations.0003_risk_reason_codes")


def vip_repeat_media_case(world):
    customer = make_customer(tier=Tier.VIP)
    make_case(customer=customer, description="第一次")
    return make_case(customer=customer, description="我要找记者曝光", department=world.service)


def test_reasons_are_stored_as_codes(world):
    risk = CaseRisk.objects.get(case=vip_repeat_media_case(world))
    assert risk.reasons == [
        {"code": "words", "list": "media", "text": "提及媒体"},
        {"code": "vip"},
        {"code": "repeat"},
    ]


def test_a_zh_and_an_en_reader_each_see_their_language(world, client, settings):
    case = vip_repeat_media_case(world)
    client.force_login(world.carol)
    zh = client.get(f"/desk/cases/{case.number}/")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    en = client.get(f"/desk/cases/{case.number}/")
    with translation.override("zh-hans"):
        zh_text = " + ".join(CaseRisk.objects.get(case=case).labels())
    with translation.override("en"):
        en_text = " + ".join(CaseRisk.objects.get(case=case).labels())
    assert zh_text == "提及媒体 + VIP + 重复投诉"
    assert en_text == "提及媒体 + VIP + Repeat complaint"
    assert zh_text in zh.content.decode()
    assert en_text in en.content.decode()


def test_a_renamed_word_list_renames_its_reason_on_old_cases(world):
    case = vip_repeat_media_case(world)
    EscalationWordList.objects.filter(code="media").update(reason="媒体风险")
    assert CaseRisk.objects.get(case=case).labels()[0] == "媒体风险"
    EscalationWordList.objects.filter(code="media").delete()
    assert CaseRisk.objects.get(case=case).labels()[0] == "提及媒体"  # stored text


def test_the_migration_turns_stored_text_into_codes(world):
    case = make_case(description="普通问题")
    CaseRisk.objects.create(
        case=case,
        reasons=["提及媒体", "负面情绪", "VIP", "Repeat complaint", "已等待超过 24 小时", "自定义"],
    )
    migration.forwards(django_apps, None)
    risk = CaseRisk.objects.get(case=case)
    assert risk.reasons == [
        {"code": "words", "list": "media", "text": "提及媒体"},
        {"code": "negative_sentiment"},
        {"code": "vip"},
        {"code": "repeat"},
        {"code": "waited", "hours": 24},
        {"code": "text", "text": "自定义"},
    ]
    with translation.override("en"):
        assert reason_labels(risk.reasons)[-2:] == ["Waited over 24 hours", "自定义"]
    migration.forwards(django_apps, None)  # running it again changes nothing
    assert CaseRisk.objects.get(case=case).reasons == risk.reasons

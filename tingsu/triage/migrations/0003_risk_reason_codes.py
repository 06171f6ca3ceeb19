"""Risk reasons were stored as translated text; store language-neutral codes instead
(tingsu/triage/reasons.py) so each reader sees their own language. Text that matches no
known signal is kept as {"code": "text"} and shown as it was."""

import re

from django.db import migrations

BUILTIN = {
    "Negative sentiment": "negative_sentiment",
    "负面情绪": "negative_sentiment",
    "VIP": "vip",
    "Repeat complaint": "repeat",
    "重复投诉": "repeat",
}
WAITED = re.compile(r"^(?:Waited over (\d+) hours|已等待超过 (\d+) 小时)$")


def to_code(text, lists):
    if isinstance(text, dict):
        return text
    text = str(text)
    if text in BUILTIN:
        return {"code": BUILTIN[text]}
    match = WAITED.match(text)
    if match:
        return {"code": "waited", "hours": int(match.group(1) or match.group(2))}
    if text in lists:
        return {"code": "words", "list": lists[text], "text": text}
    return {"code": "text", "text": text}


def forwards(apps, schema_editor):
    CaseRisk = apps.get_model("triage", "CaseRisk")
    WordList = apps.get_model("triage", "EscalationWordList")
    lists = {}
    for code, reason, name in WordList.objects.values_list("code", "reason", "name"):
        lists.setdefault(reason or name, code)
    for risk in CaseRisk.objects.iterator():
        reasons = [to_code(r, lists) for r in risk.reasons or []]
        if reasons != risk.reasons:
            risk.reasons = reasons
            risk.save(update_fields=["reasons"])


def backwards(apps, schema_editor):
    CaseRisk = apps.get_model("triage", "CaseRisk")
    english = {
        "negative_sentiment": "Negative sentiment",
        "vip": "VIP",
        "repeat": "Repeat complaint",
    }
    for risk in CaseRisk.objects.iterator():
        texts = []
        for r in risk.reasons or []:
            if not isinstance(r, dict):
                texts.append(r)
            elif r.get("code") == "waited":
                texts.append(f"Waited over {r.get('hours')} hours")
            else:
                texts.append(english.get(r.get("code")) or r.get("text", ""))
        risk.reasons = texts
        risk.save(update_fields=["reasons"])


class Migration(migrations.Migration):
    dependencies = [("triage", "0002_seed_word_lists")]

    operations = [migrations.RunPython(forwards, backwards)]

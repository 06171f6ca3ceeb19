from django.db import migrations

LISTS = [
    (
        "media",
        "媒体曝光",
        "提及媒体",
        "媒体\n曝光\n记者\n微博\n抖音\n小红书\n央视\n3·15\n315晚会\nmedia\njournalist\nnewspaper",
        "urgent",
        1,
    ),
    (
        "lawsuit",
        "法律诉讼",
        "威胁起诉",
        "起诉\n律师\n法院\n诉讼\n仲裁\nlawsuit\nlawyer\nattorney\nsue",
        "urgent",
        1,
    ),
    (
        "regulator",
        "监管机构",
        "提及监管",
        "12315\n消协\n消费者协会\n市场监管\n银保监\n金融监管\n人民银行\n12378\n工信部\n"
        "regulator\nCFPB\nombudsman",
        "urgent",
        1,
    ),
    (
        "safety",
        "安全与健康",
        "安全健康风险",
        "受伤\n过敏\n中毒\n起火\n爆炸\n安全隐患\n住院\n烫伤\ninjury\ninjured\nfire\npoisoning",
        "major",
        2,
    ),
]


def seed(apps, schema_editor):
    WordList = apps.get_model("triage", "EscalationWordList")
    for code, name, reason, words, severity, boost in LISTS:
        WordList.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "reason": reason,
                "words": words,
                "raises_severity_to": severity,
                "priority_boost": boost,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("triage", "EscalationWordList").objects.filter(
        code__in=[x[0] for x in LISTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

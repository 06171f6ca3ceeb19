"""Seed the mainland China calendar from chinese-calendar, the default policies, and the
regulatory templates (inactive until an admin switches one on)."""

from datetime import time

from django.db import migrations

H, D, C = "working_hours", "working_days", "calendar_days"

DEFAULTS = [
    # key, name, severity, order, (first, next, resolution) as (unit, value)
    ("major", "重大 Major", "major", 10, (H, 1), (H, 2), (D, 1)),
    ("urgent", "紧急 Urgent", "urgent", 20, (H, 4), (H, 4), (D, 3)),
    ("normal", "一般 Normal", "", 100, (H, 8), (H, 8), (D, 5)),
]

REGULATORY = [
    # key, name, first, resolution, max_extensions, extension_days
    (
        "cn-bank-insurance",
        "银行保险机构消费投诉处理管理办法 (15/30/60 days)",
        None,
        (C, 15),
        2,
        [30, 60],
    ),
    ("cn-12315", "12315 市场监管 (accept or refuse in 7 working days)", (D, 7), None, 0, []),
    ("us-cfpb", "CFPB (15 days to respond, 60 to close)", (C, 15), (C, 60), 0, []),
    ("uk-fca-disp", "UK FCA DISP (8 weeks to a final response)", None, (C, 56), 0, []),
]


def seed(apps, schema_editor):
    from chinese_calendar.constants import holidays, workdays

    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    cal, _ = BusinessCalendar.objects.get_or_create(
        name="中国大陆",
        defaults={
            "timezone": "Asia/Shanghai",
            "work_start": time(9),
            "work_end": time(18),
            "weekdays": [0, 1, 2, 3, 4],
        },
    )
    rows = [
        CalendarDay(calendar=cal, date=d, kind="holiday", name=str(n)) for d, n in holidays.items()
    ]
    rows += [
        CalendarDay(calendar=cal, date=d, kind="working", name=str(n)) for d, n in workdays.items()
    ]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)

    def unit(target, field):
        return (
            {f"{field}_unit": target[0], f"{field}_value": target[1]}
            if target
            else {f"{field}_value": None}
        )

    for key, name, severity, order, first, nxt, resolution in DEFAULTS:
        SlaPolicy.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "calendar": cal,
                "severity": severity,
                "order": order,
                **unit(first, "first_response"),
                **unit(nxt, "next_response"),
                **unit(resolution, "resolution"),
            },
        )
    for key, name, first, resolution, max_ext, ext_days in REGULATORY:
        SlaPolicy.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "calendar": cal,
                "order": 5,
                "is_active": False,
                "max_extensions": max_ext,
                "extension_days": ext_days,
                **unit(first, "first_response"),
                "next_response_value": None,
                **unit(resolution, "resolution"),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

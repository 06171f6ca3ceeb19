"""SLA warning and breach notices for staff: the kinds, the events and their default
email templates (zh-hans and en). Only missing template rows are created."""

from django.db import migrations, models

STAFF = {
    "staff_sla_warning": {
        "zh-hans": (
            "【时限预警】工单 {{ case_number }}",
            "{{ user_name }}，您好：\n\n您负责的工单 {{ case_number }}“{{ subject }}”即将超过处理时限。"
            "\n\n{{ message }}\n\n{{ desk_url }}\n",
        ),
        "en": (
            "[SLA warning] Case {{ case_number }}",
            'Hello {{ user_name }},\n\nCase {{ case_number }} "{{ subject }}", assigned to you, '
            "is close to its deadline.\n\n{{ message }}\n\n{{ desk_url }}\n",
        ),
    },
    "staff_sla_breached": {
        "zh-hans": (
            "【已超时】工单 {{ case_number }}",
            "{{ user_name }}，您好：\n\n{{ department }}的工单 {{ case_number }}“{{ subject }}”"
            "已超过处理时限，优先级已提升，请跟进。\n\n{{ message }}\n\n{{ desk_url }}\n",
        ),
        "en": (
            "[SLA breached] Case {{ case_number }}",
            'Hello {{ user_name }},\n\nCase {{ case_number }} "{{ subject }}" in {{ department }} '
            "has passed its deadline and its priority was raised. Please follow it up."
            "\n\n{{ message }}\n\n{{ desk_url }}\n",
        ),
    },
}


def create_defaults(apps, schema_editor):
    NotificationTemplate = apps.get_model("channels", "NotificationTemplate")
    for event, languages in STAFF.items():
        for language, (subject, body) in languages.items():
            NotificationTemplate.objects.get_or_create(
                event=event,
                transport="email",
                language=language,
                defaults={"subject": subject, "body": body},
            )


EVENTS = [
    ("case_received", "Case received"),
    ("case_needs_info", "Case needs the customer's information"),
    ("case_replied", "Staff replied"),
    ("case_resolved", "Case resolved"),
    ("case_reopened", "Case reopened"),
    ("staff_assigned", "Assigned to you"),
    ("staff_mentioned", "You were mentioned"),
    ("staff_transferred", "Transferred to your department"),
    ("staff_sla_warning", "SLA deadline approaching"),
    ("staff_sla_breached", "SLA deadline breached"),
]

KINDS = [
    ("assigned", "Assigned to you"),
    ("mentioned", "Mentioned"),
    ("transferred", "Transferred to your department"),
    ("sla_warning", "SLA deadline approaching"),
    ("sla_breached", "SLA deadline breached"),
]


class Migration(migrations.Migration):
    dependencies = [("channels", "0002_default_notification_templates")]

    operations = [
        migrations.AlterField(
            model_name="notificationtemplate",
            name="event",
            field=models.CharField(choices=EVENTS, max_length=32, verbose_name="event"),
        ),
        migrations.AlterField(
            model_name="staffnotification",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=16, verbose_name="kind"),
        ),
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]

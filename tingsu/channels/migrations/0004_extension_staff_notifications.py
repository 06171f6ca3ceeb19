"""Extension request notices for staff: a supervisor hears of an agent's request, the agent
hears of the decision. The kinds, the events and their default email templates (zh-hans
and en); only missing template rows are created."""

from django.db import migrations, models

STAFF = {
    "staff_extension_requested": {
        "zh-hans": (
            "【延期待审批】工单 {{ case_number }}",
            "{{ user_name }}，您好：\n\n{{ department }}的工单 {{ case_number }}“{{ subject }}”"
            "申请延长处理时限，等待您审批。\n\n{{ message }}\n\n{{ desk_url }}\n",
        ),
        "en": (
            "[Extension to approve] Case {{ case_number }}",
            'Hello {{ user_name }},\n\nAn extension of case {{ case_number }} "{{ subject }}" '
            "in {{ department }} waits for your approval.\n\n{{ message }}\n\n{{ desk_url }}\n",
        ),
    },
    "staff_extension_decided": {
        "zh-hans": (
            "【延期审批结果】工单 {{ case_number }}",
            "{{ user_name }}，您好：\n\n您为工单 {{ case_number }}“{{ subject }}”提出的延期申请"
            "已由 {{ actor_name }} 处理。\n\n{{ message }}\n\n{{ desk_url }}\n",
        ),
        "en": (
            "[Extension decided] Case {{ case_number }}",
            "Hello {{ user_name }},\n\n{{ actor_name }} decided on your extension request for "
            'case {{ case_number }} "{{ subject }}".\n\n{{ message }}\n\n{{ desk_url }}\n',
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
    ("staff_extension_requested", "Extension awaits approval"),
    ("staff_extension_decided", "Extension request decided"),
]

KINDS = [
    ("assigned", "Assigned to you"),
    ("mentioned", "Mentioned"),
    ("transferred", "Transferred to your department"),
    ("sla_warning", "SLA deadline approaching"),
    ("sla_breached", "SLA deadline breached"),
    ("ext_requested", "Extension awaits approval"),
    ("ext_decided", "Extension request decided"),
]


class Migration(migrations.Migration):
    dependencies = [("channels", "0003_sla_staff_notifications")]

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

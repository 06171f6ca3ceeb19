"""Default notification templates in zh-hans and en, for email, SMS and WeChat.

Admins edit them in /admin/; this migration only creates the rows that are missing.
Template variables: case_number, subject, customer_name, tracking_url, message,
survey_url (empty until surveys exist), site_url; staff: user_name, actor_name,
department, desk_url, message.
"""

from django.db import migrations

CUSTOMER = {
    "case_received": {
        "zh-hans": (
            "【已受理】您的投诉 {{ case_number }} 已收到",
            "{{ customer_name }}，您好：\n\n我们已收到您的投诉“{{ subject }}”，工单号 {{ case_number }}。"
            "我们会尽快处理。\n\n查看进度：{{ tracking_url }}\n",
            "您的投诉已受理，工单号 {{ case_number }}。查看进度：{{ tracking_url }}",
        ),
        "en": (
            "[Received] Your complaint {{ case_number }}",
            'Dear {{ customer_name }},\n\nWe have received your complaint "{{ subject }}" '
            "as case {{ case_number }} and will handle it as soon as we can.\n\n"
            "Follow its progress: {{ tracking_url }}\n",
            "We received your complaint, case {{ case_number }}. Progress: {{ tracking_url }}",
        ),
    },
    "case_needs_info": {
        "zh-hans": (
            "【需要您补充信息】工单 {{ case_number }}",
            "{{ customer_name }}，您好：\n\n处理您的投诉 {{ case_number }} 需要您补充一些信息。"
            "{% if message %}\n\n{{ message }}{% endif %}\n\n请在此补充：{{ tracking_url }}\n"
            "（也可直接回复本邮件。）\n",
            "工单 {{ case_number }} 需要您补充信息：{{ tracking_url }}",
        ),
        "en": (
            "[Information needed] Case {{ case_number }}",
            "Dear {{ customer_name }},\n\nTo handle your complaint {{ case_number }} we need "
            "some more information from you.{% if message %}\n\n{{ message }}{% endif %}\n\n"
            "Add it here: {{ tracking_url }}\n(You may also reply to this email.)\n",
            "Case {{ case_number }} needs your information: {{ tracking_url }}",
        ),
    },
    "case_replied": {
        "zh-hans": (
            "【新回复】工单 {{ case_number }}",
            "{{ customer_name }}，您好：\n\n关于您的投诉 {{ case_number }}，我们的回复如下：\n\n"
            "{{ message }}\n\n查看详情：{{ tracking_url }}\n",
            "工单 {{ case_number }} 有新回复，查看：{{ tracking_url }}",
        ),
        "en": (
            "[Reply] Case {{ case_number }}",
            "Dear {{ customer_name }},\n\nWe replied about your complaint {{ case_number }}:\n\n"
            "{{ message }}\n\nSee it here: {{ tracking_url }}\n",
            "New reply on case {{ case_number }}: {{ tracking_url }}",
        ),
    },
    "case_resolved": {
        "zh-hans": (
            "【已解决】工单 {{ case_number }}",
            "{{ customer_name }}，您好：\n\n您的投诉 {{ case_number }} 已处理完毕。"
            "{% if message %}\n\n处理结果：{{ message }}{% endif %}\n\n查看详情：{{ tracking_url }}\n"
            "{% if survey_url %}\n请为本次服务评分：{{ survey_url }}\n{% endif %}"
            "如仍有问题，可在七天内通过上述链接重新打开。\n",
            "工单 {{ case_number }} 已解决。详情：{{ tracking_url }}"
            "{% if survey_url %} 评价：{{ survey_url }}{% endif %}",
        ),
        "en": (
            "[Resolved] Case {{ case_number }}",
            "Dear {{ customer_name }},\n\nYour complaint {{ case_number }} has been resolved."
            "{% if message %}\n\nOutcome: {{ message }}{% endif %}\n\nDetails: {{ tracking_url }}\n"
            "{% if survey_url %}\nPlease rate our service: {{ survey_url }}\n{% endif %}"
            "If something is still wrong, you can reopen it from the link above.\n",
            "Case {{ case_number }} resolved. Details: {{ tracking_url }}"
            "{% if survey_url %} Rate us: {{ survey_url }}{% endif %}",
        ),
    },
    "case_reopened": {
        "zh-hans": (
            "【已重新打开】工单 {{ case_number }}",
            "{{ customer_name }}，您好：\n\n您的投诉 {{ case_number }} 已重新打开，我们会继续处理。"
            "\n\n查看进度：{{ tracking_url }}\n",
            "工单 {{ case_number }} 已重新打开。进度：{{ tracking_url }}",
        ),
        "en": (
            "[Reopened] Case {{ case_number }}",
            "Dear {{ customer_name }},\n\nYour complaint {{ case_number }} has been reopened "
            "and we are working on it again.\n\nProgress: {{ tracking_url }}\n",
            "Case {{ case_number }} reopened. Progress: {{ tracking_url }}",
        ),
    },
}

STAFF = {
    "staff_assigned": {
        "zh-hans": (
            "工单 {{ case_number }} 已分派给您",
            "{{ user_name }}，您好：\n\n{{ actor_name }} 将工单 {{ case_number }}“{{ subject }}”"
            "分派给了您。\n\n{{ desk_url }}\n",
        ),
        "en": (
            "Case {{ case_number }} was assigned to you",
            "Hello {{ user_name }},\n\n{{ actor_name }} assigned case {{ case_number }} "
            '"{{ subject }}" to you.\n\n{{ desk_url }}\n',
        ),
    },
    "staff_mentioned": {
        "zh-hans": (
            "{{ actor_name }} 在工单 {{ case_number }} 中提到了您",
            "{{ user_name }}，您好：\n\n{{ actor_name }} 在工单 {{ case_number }}“{{ subject }}”"
            "中提到了您：\n\n{{ message }}\n\n{{ desk_url }}\n",
        ),
        "en": (
            "{{ actor_name }} mentioned you on case {{ case_number }}",
            "Hello {{ user_name }},\n\n{{ actor_name }} mentioned you on case {{ case_number }} "
            '"{{ subject }}":\n\n{{ message }}\n\n{{ desk_url }}\n',
        ),
    },
    "staff_transferred": {
        "zh-hans": (
            "工单 {{ case_number }} 已转至{{ department }}",
            "{{ user_name }}，您好：\n\n{{ actor_name }} 将工单 {{ case_number }}“{{ subject }}”"
            "转至{{ department }}。\n\n原因：{{ message }}\n\n{{ desk_url }}\n",
        ),
        "en": (
            "Case {{ case_number }} was transferred to {{ department }}",
            "Hello {{ user_name }},\n\n{{ actor_name }} transferred case {{ case_number }} "
            '"{{ subject }}" to {{ department }}.\n\nReason: {{ message }}\n\n{{ desk_url }}\n',
        ),
    },
}


def rows():
    for event, languages in CUSTOMER.items():
        for language, (subject, body, short) in languages.items():
            yield event, "email", language, subject, body
            yield event, "sms", language, "", short
            yield event, "wechat", language, subject, short
    for event, languages in STAFF.items():
        for language, (subject, body) in languages.items():
            yield event, "email", language, subject, body


def create_defaults(apps, schema_editor):
    NotificationTemplate = apps.get_model("channels", "NotificationTemplate")
    for event, transport, language, subject, body in rows():
        NotificationTemplate.objects.get_or_create(
            event=event,
            transport=transport,
            language=language,
            defaults={"subject": subject, "body": body},
        )


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]

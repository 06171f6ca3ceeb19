"""The desk forms render their widgets in Python (tingsu.desk.rendering); the HTML must be
exactly what Django's widget templates give, in both languages, bound or not."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.utils import translation
from django.utils.safestring import mark_safe

from tingsu.core.testing import make_case
from tingsu.desk import forms as desk_forms
from tingsu.desk.rendering import FastWidgetRenderer

pytestmark = pytest.mark.django_db

TEMPLATES = DjangoTemplates()


def both(form) -> list[tuple[str, str, str]]:
    """(field name, fast HTML, template HTML) for every field of `form`."""
    out = []
    for bf in form:
        fast = str(bf)
        form.renderer = TEMPLATES
        slow = str(bf)
        form.renderer = desk_forms.BootstrapMixin.default_renderer
        out.append((bf.name, fast, slow))
    return out


def desk_forms_for(world, case, data=None):
    query = QueryDict(data or "")
    kw = {} if data is None else {"data": query}
    return [
        desk_forms.QueueFilterForm(query),
        desk_forms.BatchForm(user=world.carol, **kw),
        desk_forms.ReplyForm(**kw),
        desk_forms.NoteForm(**kw),
        desk_forms.AssignForm(user=world.carol, **kw),
        desk_forms.TransferForm(case=case, **kw),
        desk_forms.CaseFieldsForm(case=case, **kw),
        desk_forms.ResolveForm(**kw),
        desk_forms.ReasonForm(action="reject", **kw),
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        "status=new&status=closed&severity=major&channel=phone&sort=due&q=%3Cb%3E%22x%22%26"
        "&date_from=2025-01-02&date_to=bogus&category=999&tab=mine&sla=breached"
        "&op=tag&assignee=1&department=1&reason=%E8%BD%AC&tags=a,b&body=%3Cscript%3E"
        "&priority=2&order_number=O-1&summary=ok",
    ],
)
def test_the_desk_forms_render_as_django_templates_do(world, language, data):
    case = make_case(department=world.service, category=world.subcategory, tags=["破损", "<加急>"])
    assert isinstance(desk_forms.BootstrapMixin.default_renderer, FastWidgetRenderer)
    with translation.override(language):
        for form in desk_forms_for(world, case, data):
            form.is_valid()
            for name, fast, slow in both(form):
                assert fast == slow, (type(form).__name__, name)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_cached_configuration_options_render_as_the_querysets_do(world, language):
    from tingsu.cases.models import Category
    from tingsu.cases.selectors import case_configuration

    Category.objects.create(name="<停用>", code="retired", is_active=False)
    case = make_case(department=world.service, category=world.subcategory)
    options = desk_forms.config_options(case_configuration())
    pairs = [
        (desk_forms.TransferForm(case=case), desk_forms.TransferForm(case=case, options=options)),
        (
            desk_forms.CaseFieldsForm(case=case),
            desk_forms.CaseFieldsForm(case=case, options=options),
        ),
        (desk_forms.ResolveForm(), desk_forms.ResolveForm(options=options)),
    ]
    with translation.override(language):
        for read, cached in pairs:
            assert [str(bf) for bf in cached] == [str(bf) for bf in read], type(read).__name__


class Odd(forms.Form):
    default_renderer = FastWidgetRenderer()
    flag = forms.CharField(widget=forms.TextInput(attrs={"data-on": True, "data-off": False}))
    safe = forms.CharField(widget=forms.TextInput(attrs={"title": mark_safe("<i>x</i>")}))
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("a", "Apple & <pear>"), ("b", mark_safe("<b>B</b>"))]), ("c", 3)]
    )
    many = forms.MultipleChoiceField(choices=[(1, "one"), (2, '"two"')])
    text = forms.CharField(widget=forms.Textarea)
    number = forms.IntegerField()
    hidden = forms.CharField(widget=forms.HiddenInput)
    box = forms.BooleanField()
    radio = forms.ChoiceField(choices=[("x", "X")], widget=forms.RadioSelect)
    upload = forms.FileField()


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "flag": '"quoted" & <tag>',
            "grouped": "b",
            "many": ["1", "2"],
            "text": "<p>\nline</p>",
            "number": "12345",
            "hidden": "h&",
            "box": "on",
        },
    ],
)
def test_odd_widgets_render_as_django_templates_do(data):
    form = Odd(data=data)
    form.is_valid()
    for bf in form:
        fast = str(bf)
        form.renderer = TEMPLATES
        slow = str(bf)
        form.renderer = Odd.default_renderer
        assert fast == slow, bf.name


# The queue's row loop as a template, as it was before `queue_rows` wrote it in Python.
QUEUE_ROWS_TEMPLATE = """{% load i18n desk privacy sla_tags %}  {% for case in page_obj %}
    <tr data-number="{{ case.number }}">
      <td><input type="checkbox" class="form-check-input" name="numbers" value="{{ case.number }}" form="batch-form" aria-label="{{ case.number }}"></td>
      <td class="text-nowrap"><a href="{% url 'desk:case' case.number %}">{{ case.number }}</a></td>
      <td>{{ case.subject|pii_text_for:request.user|truncatechars:60 }}</td>
      <td>{{ case.customer.name }}{% if case.customer.is_vip %} <span class="badge text-bg-warning">VIP</span>{% endif %}</td>
      <td>{{ case.category|default:"—" }}</td>
      <td><span class="badge {{ case.severity|severity_badge }} severity-{{ case.severity }}">{{ case.severity|severity_label }}</span></td>
      <td>{{ case.priority|priority_label }}</td>
      <td><span class="badge {{ case.status|status_badge }}">{{ case.status|status_label }}</span></td>
      <td>{{ case.assignee|default:"—" }}</td>
      <td>{{ case.department|default:"—" }}</td>
      <td class="text-nowrap">{{ case.created_at|date:"Y-m-d H:i" }}</td>
      <td class="text-nowrap">{% sla_queue_badge case %}</td>
      <td>{% for tag in case.tags.all %}<span class="badge rounded-pill text-bg-light border">{{ tag.name }}</span> {% endfor %}</td>
    </tr>
  {% empty %}
    <tr><td colspan="13" class="text-center text-body-secondary py-4">{% translate "No cases match." %}</td></tr>
  {% endfor %}"""  # noqa: E501 - the template as it was


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("viewer", ["alice", "carol"])  # masked, cleared
def test_the_queue_rows_are_the_html_of_the_row_template(world, rf, language, viewer):
    from django.template import engines

    from tingsu.cases.models import Severity, Status
    from tingsu.cases.selectors import CaseFilters, case_list
    from tingsu.core.testing import make_customer
    from tingsu.customers.models import Tier

    make_case(
        customer=make_customer(tier=Tier.VIP, name="<VIP & 顾客>"),
        department=world.service,
        assignee=world.alice,
        category=world.subcategory,
        subject="请回电 13812345678 <b>急</b> " + "很长的标题" * 20,
        severity=Severity.MAJOR,
        tags=["一", "<二>"],
    )
    make_case(department=world.logistics, category=world.category, status=Status.RESOLVED)
    make_case(subject="")
    user = getattr(world, viewer)
    request = rf.get("/desk/")
    request.user = user
    engine = engines["django"]
    pages = []
    with translation.override(language):
        for cases in (list(case_list(user=world.root, filters=CaseFilters())), []):
            context = {"page_obj": cases}
            old = engine.from_string(QUEUE_ROWS_TEMPLATE).render(context, request=request)
            new = engine.from_string("{% load desk %}  {% queue_rows page_obj %}").render(
                context, request=request
            )
            assert new == old
            pages.append(new)
    assert pages[0].count("<tr data-number=") == 3
    assert ("13812345678" in pages[0]) is (viewer == "carol")  # masked for an agent
    assert '&lt;VIP &amp; 顾客&gt; <span class="badge text-bg-warning">VIP</span>' in pages[0]
    assert 'colspan="13"' in pages[1]


# The case page's timeline as a template, as it was before `timeline_items` wrote it in
# Python.
TIMELINE_TEMPLATE = """{% load i18n desk privacy %}
<ol class="timeline" id="timeline">
{% for event in timeline %}
  <li class="{% if event.kind == 'note' %}is-note{% elif event.author_type == 'customer' %}is-customer{% elif event.author_type == 'staff' %}is-staff{% endif %}" data-kind="{{ event.kind }}">
    <div class="small text-body-secondary">
      <span class="fw-semibold">
        {% if event.author %}{{ event.author }}{% elif event.author_type == "customer" %}{{ case.customer.name }}{% else %}{{ event.get_author_type_display }}{% endif %}
      </span>
      · {{ event.get_kind_display }}
      {% if event.kind == "note" %}<span class="badge text-bg-warning">{% translate "Internal" %}</span>
      {% elif not event.is_public %}<span class="badge text-bg-light border">{% translate "Staff only" %}</span>{% endif %}
      · <time datetime="{{ event.created_at|date:'c' }}">{{ event.created_at|date:"Y-m-d H:i" }}</time>
    </div>
    {% if event.kind == "field_changed" %}
      {% with change=event|field_change %}
        <div class="field-change">{{ change.label|capfirst }}: {{ change.old }} → {{ change.new }}</div>
      {% endwith %}
    {% elif event.kind == "assigned" %}
      <div>{{ event.data.from_label|default:"—" }} → {{ event.data.to_label }}</div>
    {% elif event.kind == "transferred" %}
      <div>{{ event.data.from_label|default:"—" }} → {{ event.data.to_label }}</div>
      <div class="body">{% translate "Reason" %}: {{ event.data.reason|default:event.body|pii_text_for:pii_clear }}</div>
    {% elif event.kind == "transition" or event.kind == "merged" %}
      <div>{{ event.data.from|status_label }} → {{ event.data.to|status_label }}{% if event.data.into %} ({{ event.data.into }}){% endif %}</div>
      {% if event.body %}<div class="body">{{ event.body|pii_text_for:pii_clear }}</div>{% endif %}
    {% else %}
      {% if event.data.channel %}<span class="badge text-bg-light border" data-channel="{{ event.data.channel }}">{% blocktranslate with channel=event.data.channel|channel_label %}via {{ channel }}{% endblocktranslate %}</span>{% endif %}
      <div class="body">{{ event.body|pii_text_for:pii_clear }}</div>
      {% if event.data.threaded_by and event.data.reason %}<div class="small text-body-secondary" data-testid="threaded-reason">{{ event.data.reason }}</div>{% endif %}
    {% endif %}
    {% if event.attachments.all %}
      <ul class="list-inline small mb-0">
        {% for attachment in event.attachments.all %}
          <li class="list-inline-item"><a href="{% url 'desk:attachment' case.number attachment.pk %}">📎 {{ attachment.filename }}</a> <span class="text-body-secondary">({{ attachment.size|filesizeformat }})</span></li>
        {% endfor %}
      </ul>
    {% endif %}
  </li>
{% empty %}
  <li class="text-body-secondary">{% translate "Nothing yet." %}</li>
{% endfor %}
</ol>
"""  # noqa: E501 - the template as it was


def _every_kind_of_event(world):
    """A case whose timeline holds every kind of event, odd data included."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tingsu.cases.models import AuthorType, CaseEvent, Channel, Severity
    from tingsu.cases.services import (
        Actor,
        case_add_note,
        case_assign,
        case_transfer,
        case_update_fields,
    )
    from tingsu.core.testing import make_customer
    from tingsu.desk.tests.conftest import PNG

    customer = make_customer(name="<王 & 女士>")
    case = make_case(
        customer=customer,
        department=world.service,
        category=world.subcategory,
        attachments=[SimpleUploadedFile("照片 <1>.png", PNG, content_type="image/png")],
    )
    staff = Actor.staff(world.carol)
    case_add_note(actor=staff, case=case, body="请回电 13812345678 <b>急</b> & 谢谢")
    case_update_fields(
        actor=staff,
        case=case,
        changes={"severity": Severity.MAJOR, "tags": ["一", "<二>"], "category": world.category},
    )
    case = case_assign(actor=staff, case=case, assignee=world.alice)
    case = case_transfer(actor=staff, case=case, department=world.logistics, reason="核实 <物流>")
    odd = [
        (
            "message",
            AuthorType.CUSTOMER,
            {"channel": Channel.EMAIL, "threaded_by": "subject", "reason": "Re: <TS>"},
            True,
            "邮件正文 a@b.cn",
        ),
        ("message", AuthorType.STAFF, {"channel": "fax"}, True, ""),
        ("transition", AuthorType.SYSTEM, {"from": "new", "to": "closed"}, False, "自动关闭"),
        ("merged", AuthorType.SYSTEM, {"from": "new", "to": "closed", "into": "TS<1>"}, True, ""),
        ("transition", AuthorType.SYSTEM, {}, True, ""),
        ("assigned", AuthorType.SYSTEM, {"to_label": None}, True, ""),
        ("transferred", AuthorType.SYSTEM, [], True, "理由 13812345678"),
        ("field_changed", AuthorType.SYSTEM, {"field": "nope", "old": 1, "new": [2, 3]}, True, ""),
        ("weird", "robot", "plain", False, "<i>?</i>"),
    ]
    for kind, author_type, data, public, body in odd:
        CaseEvent.objects.create(
            case=case, kind=kind, author_type=author_type, data=data, is_public=public, body=body
        )
    return case


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("pii_clear", [False, True])
def test_the_timeline_is_the_html_of_the_timeline_template(world, rf, language, pii_clear):
    from django.template import engines
    from django.template.loader import get_template

    from tingsu.cases.models import Case
    from tingsu.cases.selectors import case_staff_timeline, case_timeline

    engine = engines["django"]
    request = rf.get("/desk/")
    request.user = world.carol
    case = _every_kind_of_event(world)
    pages = []
    with translation.override(language):
        full = Case.objects.select_related("customer").get(pk=case.pk)
        # The template read case_timeline; the case page now reads case_staff_timeline.
        before = list(case_timeline(case=full, public_only=False))
        for timeline, now in ((before, case_staff_timeline(case=full)), ([], [])):
            context = {"case": full, "timeline": timeline, "pii_clear": pii_clear}
            old = engine.from_string(TIMELINE_TEMPLATE).render(context, request=request)
            context["timeline"] = now
            new = get_template("desk/partials/_timeline.html").render(context, request=request)
            assert new == old
            pages.append(new)
    kinds = ["created", "note", "field_changed", "assigned", "transferred", "transition"]
    kinds += ["merged", "message", "weird"]
    assert all(f'data-kind="{kind}"' in pages[0] for kind in kinds)
    assert 'list-inline-item"><a href="/desk/cases/' in pages[0]  # the attachment
    assert pages[1].count("<li") == 1  # "nothing yet"
    assert ("13812345678" in pages[0]) is pii_clear  # masked unless the viewer is cleared

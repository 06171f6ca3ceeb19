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

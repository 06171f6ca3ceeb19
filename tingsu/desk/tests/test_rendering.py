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

"""The agent's "new phone complaint" form. It only parses; phone_complaint_create decides."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from tingsu.cases.models import Category, Severity
from tingsu.core.forms import ModelChoiceField
from tingsu.core.validators import refuse_line_breaks


class PhoneComplaintForm(forms.Form):
    caller = forms.CharField(
        label=_("Caller's number"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "autofocus": True}),
    )
    name = forms.CharField(
        label=_("Caller's name"), max_length=100, required=False, validators=[refuse_line_breaks]
    )
    category = ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Not classified yet"),
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.NORMAL
    )
    description = forms.CharField(
        label=_("What the caller says"), widget=forms.Textarea(attrs={"rows": 6})
    )
    order_number = forms.CharField(
        label=_("Order number"), max_length=64, required=False, validators=[refuse_line_breaks]
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    callback = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related(
            "parent"
        )
        for field in self.fields.values():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

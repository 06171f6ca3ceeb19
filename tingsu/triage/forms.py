import json

from django import forms
from django.utils.translation import gettext_lazy as _

from tingsu.cases.models import Category, Channel, Severity
from tingsu.core.forms import ModelChoiceField
from tingsu.customers.models import Tier
from tingsu.triage.models import RoutingRule


class RoutingRuleForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    severities = forms.MultipleChoiceField(
        label=_("severities"),
        choices=Severity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tiers = forms.MultipleChoiceField(
        label=_("customer tiers"),
        choices=Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RoutingRule
        fields = [
            "order",
            "name",
            "is_active",
            "channels",
            "category",
            "severities",
            "tiers",
            "keywords",
            "custom_field_key",
            "custom_field_value",
            "set_department",
            "set_priority",
            "add_tags",
            "sla_policy",
        ]


class DryRunForm(forms.Form):
    text = forms.CharField(label=_("Complaint text"), widget=forms.Textarea(attrs={"rows": 5}))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    category = ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    tier = forms.ChoiceField(label=_("Customer tier"), choices=Tier.choices)
    custom_fields = forms.CharField(
        label=_("Custom fields (JSON)"),
        required=False,
        initial="{}",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_custom_fields(self):
        raw = (self.cleaned_data.get("custom_fields") or "").strip() or "{}"
        try:
            value = json.loads(raw)
        except ValueError as err:
            raise forms.ValidationError(_('Enter a JSON object, e.g. {"region": "上海"}.')) from err
        if not isinstance(value, dict):
            raise forms.ValidationError(_('Enter a JSON object, e.g. {"region": "上海"}.'))
        return value

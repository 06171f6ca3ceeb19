from django import forms
from django.utils.translation import gettext_lazy as _

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), max_length=200, required=False)
    action = forms.CharField(label=_("Action"), max_length=64, required=False)
    object_type = forms.CharField(label=_("Object type"), max_length=64, required=False)
    object_id = forms.CharField(label=_("Object ID"), max_length=64, required=False)
    since = forms.DateTimeField(
        label=_("From"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    until = forms.DateTimeField(
        label=_("To"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            invalid = " is-invalid" if self.is_bound and name in self.errors else ""
            field.widget.attrs["class"] = "form-control form-control-sm" + invalid

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start of the time range is after its end."))
        return data

    def filters(self) -> dict:
        """The non-empty filters, as selector keyword arguments (only after is_valid())."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

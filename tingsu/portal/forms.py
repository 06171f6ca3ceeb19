"""Customer-facing forms. They check shape and size so the customer gets a message on the
field; the services check everything again and their errors land on the same fields."""

import re
from urllib.parse import parse_qs, urlparse

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tingsu.cases.attachments import validate_attachments
from tingsu.cases.models import Category
from tingsu.core.errors import ValidationFailed
from tingsu.core.forms import ModelChoiceField
from tingsu.core.validators import refuse_line_breaks


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files (the pattern from Django's docs)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_file_clean(d, initial) for d in data]
        return [single_file_clean(data, initial)] if data else []


def _max_chars() -> int:
    return settings.TINGSU["MAX_DESCRIPTION_CHARS"]


def _long_text_field(label, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=_max_chars(),
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "max_length": _(
                "This is too long: please keep it under %(limit_value)d characters "
                "(it has %(show_value)d)."
            )
        },
    )


def _attachments_field() -> MultipleFileField:
    conf = settings.TINGSU
    allowed = ", ".join(sorted(conf["ALLOWED_ATTACHMENT_TYPES"]))
    return MultipleFileField(
        label=_("Photos or files"),
        required=False,
        help_text=_("Up to %(n)d files, %(mb)d MB each. Allowed types: %(types)s.")
        % {
            "n": conf["MAX_ATTACHMENTS"],
            "mb": conf["MAX_ATTACHMENT_BYTES"] // (1024 * 1024),
            "types": allowed,
        },
        widget=MultipleFileInput(
            attrs={"accept": ",".join(sorted(conf["ALLOWED_ATTACHMENT_TYPES"]))}
        ),
    )


def _clean_attachments(files: list) -> list:
    try:
        validate_attachments(files)
    except ValidationFailed as exc:
        raise forms.ValidationError(exc.detail.get("attachments") or [exc.message]) from None
    return files


def active_categories():
    """Active categories in tree order: each parent followed by its children."""
    return (
        Category.objects.filter(is_active=True)
        .filter(Q(parent__isnull=True) | Q(parent__is_active=True))
        .select_related("parent")
        .order_by(
            Coalesce("parent__sort_order", "sort_order"),
            Coalesce("parent__name", "name"),
            F("parent_id").asc(nulls_first=True),
            "sort_order",
            "name",
        )
    )


class BootstrapMixin:
    """Give every widget Bootstrap's classes and a large tap target."""

    def _style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-lg"
            else:
                css = "form-control form-control-lg"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ComplaintForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100, validators=[refuse_line_breaks])
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=32,
        required=False,
        validators=[
            RegexValidator(r"^\+?[0-9 \-]{5,31}$", _("Enter a phone number using digits only."))
        ],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    category = ModelChoiceField(
        label=_("What is it about?"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Not sure / something else"),
    )
    subject = forms.CharField(
        label=_("Subject (optional)"),
        max_length=200,
        required=False,
        validators=[refuse_line_breaks],
    )
    order_number = forms.CharField(
        label=_("Order number (optional)"),
        max_length=64,
        required=False,
        validators=[refuse_line_breaks],
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"] = _long_text_field(
            _("What happened?"),
            help_text=_("Tell us what went wrong and what you would like us to do."),
        )
        self.fields["attachments"] = _attachments_field()
        self.fields["category"].queryset = active_categories()
        self.order_fields(
            ["name", "phone", "email", "category", "subject", "description", "order_number"]
        )
        self._style_widgets()

    def clean_attachments(self):
        return _clean_attachments(self.cleaned_data.get("attachments") or [])

    def clean(self):
        data = super().clean()
        has_contact = data.get("phone") or data.get("email")
        if not has_contact and "phone" not in self.errors and "email" not in self.errors:
            raise forms.ValidationError(
                _("Please give a mobile phone number or an email address so we can reach you."),
                code="missing_contact",
            )
        return data


class AddInfoForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"] = _long_text_field(_("Your message"))
        self.fields["body"].widget.attrs["rows"] = 4
        self.fields["attachments"] = _attachments_field()
        self._style_widgets()

    def clean_attachments(self):
        return _clean_attachments(self.cleaned_data.get("attachments") or [])


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("What is still not right? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_widgets()


class WithdrawForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, I want to withdraw this complaint. It will be closed."),
        error_messages={"required": _("Please tick the box to confirm.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_widgets()


TRACK_PATH = re.compile(r"/portal/(?:track|submitted)/(?P<number>[A-Za-z0-9]+)/?$")


class TrackForm(BootstrapMixin, forms.Form):
    """Either the case number and its token, or the whole tracking link."""

    link = forms.CharField(label=_("Paste your tracking link"), max_length=500, required=False)
    number = forms.CharField(label=_("Case number"), max_length=24, required=False)
    token = forms.CharField(
        label=_("Access code"),
        max_length=64,
        required=False,
        help_text=_("Shown with your case number when you filed, and part of your link."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean(self):
        data = super().clean()
        link = (data.get("link") or "").strip()
        if link:
            parsed = urlparse(link)
            match = TRACK_PATH.search(parsed.path)
            token = (parse_qs(parsed.query).get("t") or [""])[0]
            if not match or not token:
                raise forms.ValidationError(
                    _("This does not look like a tracking link. Check the link you were sent.")
                )
            data["number"], data["token"] = match["number"], token
        data["number"] = (data.get("number") or "").strip()
        data["token"] = (data.get("token") or "").strip()
        if not data["number"] or not data["token"]:
            raise forms.ValidationError(
                _("Enter your case number and access code, or paste your tracking link.")
            )
        return data

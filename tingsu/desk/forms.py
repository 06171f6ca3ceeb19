"""Forms of the staff workspace. They only parse input; the services decide what is allowed."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tingsu.accounts.models import Department, Role, User
from tingsu.cases.batch import BatchOp
from tingsu.cases.models import (
    Case,
    Category,
    Channel,
    Priority,
    ResolutionCode,
    RootCause,
    Severity,
    Status,
)
from tingsu.cases.selectors import SORTS, CaseConfiguration, CaseFilters, QueueTab, SlaFilter
from tingsu.cases.workflow import Action
from tingsu.core.forms import ModelChoiceField
from tingsu.core.validators import refuse_line_breaks
from tingsu.desk.rendering import FastWidgetRenderer

TAB_LABELS = {
    QueueTab.MINE: _("Mine"),
    QueueTab.UNASSIGNED: _("Unassigned in my department"),
    QueueTab.DEPARTMENT: _("My department"),
    QueueTab.ALL: _("All in my scope"),
}
SORT_LABELS = {
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "priority": _("Highest priority"),
    "updated": _("Recently updated"),
    "number": _("Case number"),
    "due": _("Due soonest"),
}
BATCH_LABELS = {
    BatchOp.ASSIGN: _("Assign to"),
    BatchOp.TRANSFER: _("Transfer to department"),
    BatchOp.TAG: _("Add tags"),
    BatchOp.CLOSE: _("Close"),
}


def assignable_staff(user: User):
    """Whom this user may hand a case to. The service checks again on every assignment."""
    qs = (
        User.objects.filter(is_active=True)
        .exclude(role=Role.COMPLIANCE)
        .select_related("department")
        .order_by("department__name", "display_name", "username")
    )
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.SUPERVISOR:
        return qs.filter(department_id=user.department_id)
    return qs.filter(pk=user.pk)


def active_categories():
    return Category.objects.filter(is_active=True).select_related("parent")


ConfigOptions = dict[str, list[tuple[int, str]]]


def config_options(configuration: CaseConfiguration) -> ConfigOptions:
    """The active rows the case page's configuration selects offer, as (pk, label), from
    the cached configuration instead of a query per select."""

    def active(rows: dict) -> list[tuple[int, str]]:
        return [(pk, str(row)) for pk, row in rows.items() if row.is_active]

    return {
        "category": active(configuration.categories),
        "department": active(configuration.departments),
        "resolution_code": active(configuration.resolution_codes),
        "root_cause": active(configuration.root_causes),
    }


def _offer(field: ModelChoiceField, options: list[tuple[int, str]]) -> None:
    """Show `options` in the field's select instead of reading its queryset; a submitted
    value is still checked against the queryset."""
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = [*empty, *options]


class StaffChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.label} · {obj.department}" if obj.department_id else obj.label


class TagsField(forms.CharField):
    """Comma-separated tags (ASCII or Chinese commas) as a sorted list of names."""

    def to_python(self, value):
        if isinstance(value, list | tuple):
            names = value
        else:
            names = re.split(r"[,，;；]", super().to_python(value) or "")
        return sorted({n.strip()[:50] for n in names if n and n.strip()})

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class NumbersField(forms.Field):
    """The selected case numbers, sent as repeated `numbers` values."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [str(v).strip() for v in value or [] if str(v).strip()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class BootstrapMixin:
    """Gives each widget its Bootstrap class; renders the plain widgets without templates."""

    id_prefix = ""
    default_renderer = FastWidgetRenderer()

    def _style(self) -> None:
        # The case page holds several forms; distinct ids keep labels pointing at their input.
        if self.id_prefix:
            self.auto_id = f"{self.id_prefix}_%s"
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(w, forms.Select) else "form-control"
            w.attrs.setdefault("class", css)


class QueueFilterForm(BootstrapMixin, forms.Form):
    tab = forms.ChoiceField(
        label=_("Tab"),
        choices=[(t, TAB_LABELS[t]) for t in QueueTab.CHOICES],
        required=False,
        widget=forms.RadioSelect,
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=Status.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    category = ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Any category"),
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("Any severity")), *Severity.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Any channel")), *Channel.choices], required=False
    )
    date_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, text, phone")}),
    )
    sort = forms.ChoiceField(
        label=_("Sort"), choices=[(k, SORT_LABELS.get(k, k)) for k in SORTS], required=False
    )
    sla = forms.ChoiceField(
        label=_("SLA"),
        choices=[
            ("", _("Any SLA state")),
            (SlaFilter.WARNING, _("SLA warning")),
            (SlaFilter.BREACHED, _("SLA breached")),
        ],
        required=False,
    )

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = data.copy()
            data.setdefault("tab", QueueTab.ALL)
            data.setdefault("sort", "newest")
        super().__init__(data, **kwargs)
        self.fields["category"].queryset = active_categories()
        self._style()

    def _sane_date(self, name: str):
        # Dates near year 1 or 9999 overflow once turned into local datetimes.
        value = self.cleaned_data.get(name)
        if value and not 1900 <= value.year <= 2999:
            raise forms.ValidationError(_("Enter a date between 1900 and 2999."))
        return value

    def clean_date_from(self):
        return self._sane_date("date_from")

    def clean_date_to(self):
        return self._sane_date("date_to")

    def filters(self) -> tuple[CaseFilters, list[str]]:
        """The filters to apply, and the labels of values that were ignored as invalid."""
        self.is_valid()
        data = self.cleaned_data  # holds only the fields that validated
        invalid = [str(self.fields[name].label) for name in self.errors if name in self.fields]
        category = data.get("category")
        filters = CaseFilters(
            tab=data.get("tab") or QueueTab.ALL,
            status=data.get("status") or [],
            category=category.pk if category else None,
            severity=data.get("severity") or "",
            channel=data.get("channel") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            text=data.get("q") or "",
            sort=data.get("sort") or "newest",
            sla=data.get("sla") or "",
        )
        return filters, invalid


class BatchForm(BootstrapMixin, forms.Form):
    id_prefix = "batch"
    numbers = NumbersField(error_messages={"required": _("Select at least one case.")})
    op = forms.ChoiceField(label=_("Action"), choices=[(op, BATCH_LABELS[op]) for op in BatchOp])
    assignee = StaffChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    department = ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True), required=False
    )
    reason = forms.CharField(label=_("Transfer reason"), required=False, max_length=2000)
    tags = TagsField(label=_("Tags"), required=False, max_length=500)

    NEEDS = {
        BatchOp.ASSIGN: ("assignee",),
        BatchOp.TRANSFER: ("department", "reason"),
        BatchOp.TAG: ("tags",),
        BatchOp.CLOSE: (),
    }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff(user)
        self._style()

    def clean(self):
        data = super().clean()
        op = data.get("op")
        for name in self.NEEDS.get(op, ()):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("This is needed for “%(op)s”.") % {"op": BATCH_LABELS[op]})
        return data

    def batch_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "numbers": d["numbers"],
            "op": BatchOp(d["op"]),
            "assignee": d.get("assignee"),
            "department": d.get("department"),
            "reason": d.get("reason") or "",
            "tags": d.get("tags") or [],
        }


class ReplyForm(BootstrapMixin, forms.Form):
    id_prefix = "reply"
    body = forms.CharField(
        label=_("Reply to the customer"), widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class NoteForm(BootstrapMixin, forms.Form):
    id_prefix = "note"
    body = forms.CharField(
        label=_("Internal note (staff only)"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class AssignForm(BootstrapMixin, forms.Form):
    id_prefix = "assign"
    assignee = StaffChoiceField(label=_("Assignee"), queryset=User.objects.none())

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff(user)
        self._style()


class TransferForm(BootstrapMixin, forms.Form):
    id_prefix = "transfer"
    department = ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case: Case, options: ConfigOptions | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).exclude(
            pk=case.department_id
        )
        if options is not None:
            others = [o for o in options["department"] if o[0] != case.department_id]
            _offer(self.fields["department"], others)
        self._style()


class CaseFieldsForm(BootstrapMixin, forms.Form):
    id_prefix = "fields"
    category = ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    tags = TagsField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas."),
    )
    order_number = forms.CharField(
        label=_("Order number"), required=False, max_length=64, validators=[refuse_line_breaks]
    )

    def __init__(self, *args, case: Case, options: ConfigOptions | None = None, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "category": case.category_id,
                "severity": case.severity,
                "priority": case.priority,
                "tags": sorted(t.name for t in case.tags.all()),
                "order_number": case.order_number,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()
        if options is not None:
            _offer(self.fields["category"], options["category"])
        self._style()

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class ResolveForm(BootstrapMixin, forms.Form):
    id_prefix = "resolve"
    resolution_code = ModelChoiceField(
        label=_("Resolution code"), queryset=ResolutionCode.objects.filter(is_active=True)
    )
    root_cause = ModelChoiceField(
        label=_("Root cause"), queryset=RootCause.objects.filter(is_active=True)
    )
    summary = forms.CharField(
        label=_("Summary for the customer"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, options: ConfigOptions | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if options is not None:
            _offer(self.fields["resolution_code"], options["resolution_code"])
            _offer(self.fields["root_cause"], options["root_cause"])
        self._style()


class ReasonForm(BootstrapMixin, forms.Form):
    """Start, wait, close, reopen, reject and withdraw: an optional reason (required to reject)."""

    id_prefix = "reason"
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = action == Action.REJECT
        self._style()

"""A form renderer that writes the plain widgets in Python.

Django renders every widget, and every <option> of a select, through a template include;
the queue's filter and batch forms spend most of their time there. `FastWidgetRenderer`
produces the same HTML as Django's own widget templates (input, textarea, select and its
options) with string formatting, and hands any other template to the template engine.
tingsu/desk/tests/test_rendering.py checks that both give byte-identical HTML.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

_WIDGETS = "django/forms/widgets/"
_INPUT_TEMPLATES = {
    _WIDGETS + name
    for name in (
        "input.html",
        "text.html",
        "search.html",
        "date.html",
        "datetime.html",
        "time.html",
        "email.html",
        "number.html",
        "tel.html",
        "url.html",
        "password.html",
        "hidden.html",
        "color.html",
        "checkbox.html",
    )
}
_OPTION_TEMPLATE = _WIDGETS + "select_option.html"


class _Context:
    """What `render_value_in_context` reads from a template context (the defaults)."""

    autoescape = True
    use_l10n = None
    use_tz = None


_CONTEXT = _Context()


def render_value(value) -> str:
    """`{{ value }}` in a template."""
    return render_value_in_context(value, _CONTEXT)


def _format_s(value) -> str:
    """`{{ value|stringformat:'s' }}` in a template (stringformat keeps safe input safe)."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{_format_s(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = widget["value"]
    value_attr = f' value="{_format_s(value)}"' if value is not None else ""
    return (
        f'<input type="{render_value(widget["type"])}" name="{render_value(widget["name"])}"'
        f"{value_attr}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    body = render_value(value) if value else ""
    name = render_value(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{body}</textarea>'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{render_value(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{render_value(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{_format_s(option["value"])}"'
                f"{_attrs(option['attrs'])}>{render_value(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastWidgetRenderer(DjangoTemplates):
    """Django's template renderer, with the common widget templates done in Python."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        html = None
        if widget is not None:
            if template_name in _INPUT_TEMPLATES:
                html = _input(widget)
            elif template_name == _WIDGETS + "textarea.html":
                html = _textarea(widget)
            elif template_name == _WIDGETS + "select.html":
                html = _select(widget)
        if html is None:
            return super().render(template_name, context, request)
        return html.strip()

"""A form's fields as `recruitment/includes/field.html` writes them, built in Python.

The include and Django's widget templates under it (input, attrs, select and option, each an
include of its own) cost about half a millisecond a field: a page with a few short forms paid
more for them than for everything else it shows. Here the same markup is written from the
bound field's own widget context (its attributes in Django's order: required, aria-invalid,
aria-describedby and id as `BoundField.as_widget` adds them), every value escaped as the
template's autoescape does. A widget this module does not write (a checkbox, a file, a text
area) is rendered by the include itself, so the output is the include's in every case.
"""

from html import escape

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

_TEMPLATE = "recruitment/includes/field.html"
# Widgets whose template is only `django/forms/widgets/input.html`, and the select's.
_INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in ("text", "date", "email", "number", "url", "password", "tel", "search", "time")
}
_SELECT = "django/forms/widgets/select.html"


def conditional_escape(value) -> str:
    """Django's `conditional_escape` (a safe text as it is, any other escaped), without its
    check for lazy arguments on every call: a form's page calls it a hundred times."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


def _attrs(attrs: dict) -> str:
    """`django/forms/widgets/attrs.html`: each attribute not False, bare when True (its value
    through `stringformat`, so escaped even when it was safe)."""
    return "".join(
        f" {escape(name)}" + ("" if value is True else f'="{escape(str(value))}"')
        for name, value in attrs.items()
        if value is not False
    )


def _widget_attrs(bf) -> dict:
    """The attributes `BoundField.as_widget` gives the widget's own ones."""
    widget = bf.field.widget
    attrs = bf.build_widget_attrs({}, widget)
    if bf.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bf.auto_id)
    return attrs


def _input(bf) -> str:
    """`django/forms/widgets/input.html` (text, date, e-mail, number ...)."""
    context = bf.field.widget.get_context(bf.html_name, bf.value(), _widget_attrs(bf))["widget"]
    value = context["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(context["type"])}" '
        f'name="{conditional_escape(context["name"])}"{shown}{_attrs(context["attrs"])}>'
    )


def _select(bf) -> str:
    """`django/forms/widgets/select.html` with its options (no groups: written by the include)."""
    context = bf.field.widget.get_context(bf.html_name, bf.value(), _widget_attrs(bf))["widget"]
    options = []
    for group_name, group_choices, _index in context["optgroups"]:
        if group_name:
            return ""
        options.extend(
            f'\n  <option value="{conditional_escape(str(o["value"]))}"{_attrs(o["attrs"])}>'
            f"{conditional_escape(o['label'])}</option>\n"
            for o in group_choices
        )
    return (
        f'<select name="{conditional_escape(context["name"])}"{_attrs(context["attrs"])}>'
        f"{''.join(options)}\n</select>"
    )


def _help(bf, auto_id: str) -> str:
    """The include's `help` partial: the help text and the field's errors."""
    html = ""
    if bf.help_text:
        html += f'<div id="{auto_id}_helptext" class="form-text">{bf.help_text}</div>'
    if errors := bf.errors:
        shown = "<br>".join(f"<strong>{conditional_escape(e)}</strong>" for e in errors)
        html += f'<div id="{auto_id}_error" class="invalid-feedback d-block">{shown}</div>'
    return html


def _label(bf, required: bool) -> str:
    star = '<span class="asteriskField">*</span>' if required else ""
    return f"{conditional_escape(bf.label)}{star}"


def _radios(bf, auto_id: str, required: bool) -> str:
    invalid = ' aria-invalid="true"' if bf.errors else ""
    choices = []
    for choice in bf.subwidgets:
        data = choice.data
        attrs = data["attrs"]
        choice_id = conditional_escape(attrs.get("id", ""))
        choices.append(
            '<div class="form-check"><input type="radio" '
            f'class="{conditional_escape(attrs.get("class", ""))}" '
            f'name="{conditional_escape(data["name"])}" '
            f'value="{conditional_escape(data["value"])}" '
            f'id="{choice_id}"{" checked" if data["selected"] else ""}'
            f"{' required' if attrs.get('required') else ''}{invalid}>"
            f'<label for="{choice_id}" class="form-check-label">'
            f"{conditional_escape(choice.choice_label)}</label></div>"
        )
    described = f' aria-describedby="{auto_id}_error"' if bf.errors else ""
    required_class = " requiredField" if required else ""
    return (
        f'\n<div id="div_{auto_id}" class="mb-3"><fieldset{described}>'
        f'<legend class="form-label fs-6{required_class}">{_label(bf, required)}</legend>\n'
        f"  {''.join(choices)}\n"
        f"  {_help(bf, auto_id)}</fieldset></div>\n"
    )


def field_html(bf) -> SafeString:
    """The bound field `bf` (of a form with `recruitment.forms.BootstrapMixin`) as
    `recruitment/includes/field.html` renders it."""
    kind = bf.widget_type
    if kind in {"checkbox", "clearablefile"}:  # written by the include alone
        return render_to_string(_TEMPLATE, {"field": bf})
    required = bf.field.required
    auto_id = conditional_escape(bf.auto_id)
    if kind == "radioselect":
        return mark_safe(_radios(bf, auto_id, required))  # noqa: S308 - every value escaped
    template = bf.field.widget.template_name
    if template in _INPUTS:
        control = _input(bf)
    elif template == _SELECT and not bf.field.widget.allow_multiple_selected:
        control = _select(bf)
    else:
        control = ""
    control = control or str(bf)  # any other widget: as Django renders it, as `{{ field }}`
    required_class = " requiredField" if required else ""
    label_for = conditional_escape(bf.id_for_label)
    return mark_safe(  # noqa: S308 - every value escaped
        f'\n<div id="div_{auto_id}" class="mb-3"><label for="{label_for}" '
        f'class="form-label{required_class}">{_label(bf, required)}</label>\n'
        f"  {control}\n"
        f"  {_help(bf, auto_id)}</div>\n"
    )


def fields_html(form) -> dict[str, SafeString]:
    """Each field of `form` by name, as `field_html` writes it."""
    return {name: field_html(form[name]) for name in form.fields}


def form_errors_html(form) -> SafeString:
    """`recruitment/includes/form_errors.html`: the form's errors that belong to no field."""
    errors = form.non_field_errors()
    if not errors:
        return mark_safe("\n")  # noqa: S308 - the include's own line end
    items = "".join(f"<li>{conditional_escape(e)}</li>" for e in errors)
    return mark_safe(  # noqa: S308 - every value escaped
        f'<div class="alert alert-danger" role="alert"><ul class="m-0">{items}</ul></div>\n'
    )

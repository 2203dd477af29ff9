"""Parts of the patrol list pages written as HTML here rather than as template loops: the
rounds page's planned rounds, conversations, signal counts and planning form, the effort
page's signals per category and obligation form, the signal list's filter form. At a page of
rows the template engine's cost per variable, tag, filter and form field was most of these
pages' time. The markup, ids and texts are the ones the templates had (the same msgids).

Every value from the database or the request is escaped (`escape`, as the template's
autoescape); a translated text is escaped as the template escapes a variable."""

from html import escape

from django.conf import settings
from django.utils.formats import get_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from programmes.dates import datetime_formatter

from .models import Conversation


def number_text():
    """A function writing a number as `localize` does (what the template's `{{ n }}` wrote),
    escaped, with the language's decimal separator looked up once instead of per number: an
    int as its digits, a float with the separator (2,5); anything else, or with thousands
    grouping on, through `localize` itself."""
    if settings.USE_THOUSAND_SEPARATOR:
        return lambda value: escape(localize(value))
    separator = get_format("DECIMAL_SEPARATOR")

    def number(value) -> str:
        kind = type(value)
        if kind is int:
            return str(value)
        if kind is float:
            text = repr(value)
            if "e" not in text and "n" not in text:  # not 1e-05, inf or nan
                return escape(text.replace(".", separator))
        return escape(localize(value))

    return number


def _text(value) -> str:
    """A value as the template writes `{{ value }}`: localized (a number, a date), escaped."""
    if isinstance(value, str):
        return escape(value)
    return escape(str(localize(value)))


def _plain(value) -> str:
    """A value as `{{ value|unlocalize }}` writes it, escaped."""
    return escape(str(value))


def slot_rows_html(slots, fewer_than) -> SafeString:
    """The planned rounds' table rows: `slots` are (starts at, meeting point, area, minimum
    walkers, sign-ups) rows; `fewer_than(n)` the "too few walkers" badge's text."""
    number = number_text()
    when = datetime_formatter("D j N H:i")
    out = []
    for starts_at, meeting_point, area, min_walkers, n_signups in slots:
        few = fewer_than(min_walkers) if n_signups < min_walkers else ""
        out.append(
            f"<tr{' class="table-warning"' if few else ''}><td>{escape(when(starts_at))}</td>"
            f"<td>{escape(meeting_point)}{f' · {escape(area)}' if area else ''}</td>"
            f"<td>{number(n_signups)} / {number(min_walkers)}"
            + (
                f' <span class="badge text-bg-warning" data-too-few-walkers>{escape(few)}</span>'
                if few
                else ""
            )
            + "</td></tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def conversation_rows_html(conversations) -> SafeString:
    """The conversations' paragraphs, or the line saying there are none: `conversations` are
    (reported at, topic, outcome, aggression, reporter's name, reporter's e-mail) rows."""
    if not conversations:
        return mark_safe(  # noqa: S308 - a translated text, escaped
            f'<p class="text-body-secondary mb-0">{escape(_("No conversations yet."))}</p>'
        )
    topics = {value: str(label) for value, label in Conversation.Topic.choices}
    outcomes = {value: str(label) for value, label in Conversation.Outcome.choices}
    aggression = f' · <strong class="text-danger">{escape(_("aggression"))}</strong>'
    when = datetime_formatter("j N H:i")
    out = []
    for at, topic, outcome, aggressive, name, email in conversations:
        # `{{ c.reported_by|default:"–" }}`: the reporter as User.__str__ says it.
        by = (name or email) if (name is not None or email is not None) else ""
        out.append(
            f'<p class="mb-1">{escape(when(at))} · '
            f"{escape(topics.get(topic, topic))} · {escape(outcomes.get(outcome, outcome))}"
            f"{aggression if aggressive else ''} "
            f'<span class="text-body-secondary">({escape(by) if by else "–"})</span></p>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def status_counts_html(counts) -> SafeString:
    """The badges of the signals per status: `counts` are {status label, n}."""
    number = number_text()
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<span class="badge text-bg-light border me-1">{escape(str(c["status"]))}: '
            f"{number(c['n'])}</span>"
            for c in counts
        )
    )


def category_rows_html(by_category) -> SafeString:
    """The effort page's signals per category (`{category__name, n, open}` rows), or the
    line saying there were none."""
    if not by_category:
        return mark_safe(  # noqa: S308 - a translated text, escaped
            f'<p class="text-body-secondary mb-0">{escape(_("No signals this month."))}</p>'
        )
    number = number_text()
    label = _("%(n)s open")
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<p class="mb-1">{_text(row["category__name"])}: {number(row["n"])} '
            f'<span class="text-body-secondary">({escape(label % {"n": row["open"]})})</span></p>'
            for row in by_category
        )
    )


# --- Forms as plain Bootstrap markup (what crispy-forms rendered, without its cost) -------


def _errors(field, name: str) -> str:
    errors = field.errors
    if not errors:
        return ""
    return (
        f'<div id="id_{name}_error" class="invalid-feedback">'
        + "".join(f"<p><strong>{escape(str(e))}</strong></p>" for e in errors)
        + "</div>"
    )


def non_field_errors_html(form) -> str:
    errors = form.non_field_errors()
    if not errors:
        return ""
    return (
        '<div class="alert alert-block alert-danger"><ul class="m-0">'
        + "".join(f"<li>{escape(str(e))}</li>" for e in errors)
        + "</ul></div>"
    )


def input_html(
    form,
    name: str,
    *,
    kind: str,
    css: str,
    attrs: str = "",
    required: bool = True,
    number: bool = False,
    help_text: bool = False,
) -> str:
    """One field of `form` as a labelled input: `kind` its type, `css` its widget's class,
    `attrs` what goes between its value and its class (min, max, maxlength, step), already
    escaped; `number`: the value unlocalized and shown whenever there is one (0 too)."""
    field = form[name]
    value = field.value()
    if number:
        shown = f' value="{_plain(value)}"' if value is not None and value != "" else ""
    else:
        shown = f' value="{_text(value)}"' if value else ""
    invalid = bool(field.errors)
    label = escape(str(field.label))
    if required:
        label_html = (
            f'<label for="id_{name}" class="form-label requiredField">{label}'
            '<span class="asteriskField">*</span></label>'
        )
    else:
        label_html = f'<label for="id_{name}" class="form-label">{label}</label>'
    if help_text:
        described = (
            f' aria-describedby="{f"id_{name}_error " if invalid else ""}id_{name}_helptext"'
            f"{' aria-invalid="true"' if invalid else ''}"
        )
    else:
        described = f' aria-invalid="true" aria-describedby="id_{name}_error"' if invalid else ""
    html = (
        f'<div id="div_id_{name}" class="mb-3">{label_html}\n'
        f'        <input type="{kind}" name="{name}"{shown}{attrs} class="{css} form-control'
        f'{" is-invalid" if invalid else ""}"{" required" if required else ""}{described} '
        f'id="id_{name}">\n        {_errors(field, name)}'
    )
    if help_text:
        html += (
            f'\n        <div id="id_{name}_helptext" class="form-text">'
            f"{escape(str(field.help_text))}</div>"
        )
    return html + "</div>"


def _bounds(field, *, low: bool = True, high: bool = True) -> str:
    """` min="…" max="…"` of a number field, as `{{ f.field.min_value }}` writes them."""
    number = number_text()
    out = ""
    if low:
        out += f' min="{number(field.min_value) if field.min_value is not None else "None"}"'
    if high:
        out += f' max="{number(field.max_value) if field.max_value is not None else "None"}"'
    return out


def round_slot_form_html(form) -> SafeString:
    """The fields of the rounds page's planning form (RoundSlotForm)."""
    fields = form.fields
    attrs = fields["starts_at"].widget.attrs
    html = "\n        ".join(
        [
            non_field_errors_html(form),
            input_html(
                form,
                "starts_at",
                kind="datetime-local",
                css="datetimeinput",
                attrs=f' min="{_text(attrs.get("min", ""))}" max="{_text(attrs.get("max", ""))}"',
            ),
            input_html(
                form,
                "duration_minutes",
                kind="number",
                css="numberinput",
                attrs=_bounds(fields["duration_minutes"]),
                number=True,
            ),
            input_html(
                form,
                "meeting_point",
                kind="text",
                css="textinput",
                attrs=f' maxlength="{_text(fields["meeting_point"].max_length)}"',
            ),
            input_html(
                form,
                "area",
                kind="text",
                css="textinput",
                required=False,
                attrs=f' maxlength="{_text(fields["area"].max_length)}"',
            ),
            input_html(
                form,
                "min_walkers",
                kind="number",
                css="numberinput",
                attrs=_bounds(fields["min_walkers"]),
                number=True,
            ),
            input_html(
                form,
                "weeks",
                kind="number",
                css="numberinput",
                attrs=_bounds(fields["weeks"]),
                number=True,
                help_text=True,
            ),
        ]
    )
    return mark_safe(html)  # noqa: S308 - every value escaped above


def effort_rule_form_html(form) -> SafeString:
    """The fields of the effort page's obligation form (EffortRuleForm)."""
    fields = form.fields
    checks = "".join(
        f'<div class="mb-3 form-check"><input type="checkbox" name="{name}" '
        f'class="form-check-input" id="id_{name}"{" checked" if form[name].value() else ""}>'
        f'<label class="form-check-label" for="id_{name}">'
        f"{escape(capfirst(str(form[name].label)))}</label></div>"
        for name in ("count_activity_hours", "count_meeting_hours")
        if name in fields
    )
    html = "\n        ".join(
        [
            non_field_errors_html(form),
            input_html(
                form,
                "min_rounds",
                kind="number",
                css="numberinput",
                attrs=_bounds(fields["min_rounds"], high=False),
                number=True,
            ),
            input_html(
                form,
                "min_hours",
                kind="number",
                css="numberinput",
                attrs=' step="0.1"',
                number=True,
            ),
            input_html(
                form,
                "min_team_meetings",
                kind="number",
                css="numberinput",
                attrs=_bounds(fields["min_team_meetings"], high=False),
                number=True,
            ),
            checks,
            input_html(
                form,
                "reward",
                kind="text",
                css="textinput",
                attrs=f' maxlength="{_text(fields["reward"].max_length)}"',
                required=False,
            ),
        ]
    )
    return mark_safe(html)  # noqa: S308 - every value escaped above


def _filter_errors(field) -> str:
    """A filter field's errors, as Bootstrap shows them under the field."""
    if not field.errors:
        return ""
    auto_id = field.auto_id
    return (
        f'<div id="{auto_id}_error" class="invalid-feedback">'
        + "".join(
            f'<p id="error_{i}_{auto_id}"><strong>{escape(str(e))}</strong></p>'
            for i, e in enumerate(field.errors, 1)
        )
        + "</div>\n"
    )


def _invalid(field) -> str:
    """What a filter field with errors adds to its class (and the attributes after it)."""
    if not field.errors:
        return ""
    return f' is-invalid" aria-invalid="true" aria-describedby="{field.auto_id}_error'


def _filter_field(field, control: str) -> str:
    """A select or date field of the signal filter in its column: `control` its element."""
    auto_id = field.auto_id
    return (
        f'<div class="col-6 col-md-4 col-xl-2"><div id="div_{auto_id}" class="mb-3">\n'
        f'    <label for="{auto_id}" class="form-label">{escape(str(field.label))}</label>\n'
        f"    {control}\n"
        f"    {_filter_errors(field)}</div></div>\n  "
    )


def signal_filter_html(form, options) -> tuple[SafeString, SafeString]:
    """The signal list's filter (SignalFilterForm) as plain Bootstrap markup: its selects and
    dates, and its flags; `options(field)` the HTML of a select's options."""
    fields = []
    for name in ("status", "category", "programme"):
        field = form[name]
        fields.append(
            _filter_field(
                field,
                f'<select name="{field.html_name}" class="form-select{_invalid(field)}" '
                f'id="{field.auto_id}">{options(field)}</select>',
            )
        )
    for name in ("start", "end"):
        field = form[name]
        value = field.value()
        attrs = field.field.widget.attrs
        shown = f' value="{_text(value)}"' if value else ""
        fields.append(
            _filter_field(
                field,
                f'<input type="date" name="{field.html_name}"{shown} '
                f'min="{_text(attrs.get("min", ""))}" max="{_text(attrs.get("max", ""))}" '
                f'class="form-control{_invalid(field)}" id="{field.auto_id}">',
            )
        )
    flags = "".join(
        f'\n    <div id="div_{field.auto_id}" class="form-check mb-3"><input type="checkbox" '
        f'name="{field.html_name}" class="form-check-input" id="{field.auto_id}"'
        f'{" checked" if field.value() else ""}>\n      <label for="{field.auto_id}" '
        f'class="form-check-label">{escape(str(field.label))}</label></div>'
        for field in (
            form[n] for n in ("urgent", "overdue", "mine", "my_department") if n in form.fields
        )
    )
    return mark_safe("".join(fields)), mark_safe(flags)  # noqa: S308 - every value escaped

"""The survey results' lists as HTML, written here rather than as template loops: per question
its counts per option (a bar each) or its newest open answers, and the responses per street.
The template engine's cost per variable, tag and filter over some fifty rows was most of the
page's rendering. The markup and texts are the ones the template had (the same msgids: the
catalogue is unchanged).

Every value from the database is escaped (`escape`, as the template's autoescape); a
translated text is trusted as the template trusts it, with the values put in escaped, as
{% blocktranslate %} does."""

from html import escape

from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _counts(result) -> str:
    rows = "".join(
        f'<tr><th scope="row" class="fw-normal">{escape(str(label))}</th>\n'
        '          <td class="bar-cell"><svg class="survey-bar" width="100%" height="12" '
        f'aria-hidden="true"><rect x="0" y="0" width="{percent}%" height="12" rx="2"></rect>'
        "</svg></td>\n"
        f'          <td class="text-end">{count}</td>'
        f'<td class="text-end text-body-secondary">{percent}%</td></tr>'
        for label, count, percent in result.counts
    )
    average = ""
    if result.average is not None:
        average = f'<p class="small mb-0">{escape(_("Average"))}: {localize(result.average)}</p>'
    return (
        f'\n        <table class="table table-sm mb-0 survey-table"><tbody>{rows}</tbody></table>\n'
        f"        {average}\n      "
    )


def _texts(result) -> str:
    if result.texts:
        items = "".join(f"<li>{escape(str(t))}</li>" for t in result.texts)
    else:
        items = f'<li class="text-body-secondary">{escape(_("No answers yet."))}</li>'
    more = ""
    if result.more:
        told = ngettext(
            "The newest answers are shown; %(counter)s more is in the CSV.",
            "The newest answers are shown; %(counter)s more are in the CSV.",
            result.more,
        ) % {"counter": result.more}
        more = f'<p class="small text-body-secondary mt-1 mb-0">{told}</p>'
    return f'\n        <ul class="small mb-0">{items}</ul>\n        {more}\n      '


def questions_html(results) -> SafeString:
    """Each question of `survey_counts(...)["questions"]`, numbered, with its results."""
    html = []
    for number, r in enumerate(results, start=1):
        pk = r.question.pk
        body = _counts(r) if r.texts is None else _texts(r)
        html.append(
            '\n    <section class="card border-0 shadow-sm mb-3" '
            f'aria-labelledby="q{pk}"><div class="card-body">\n'
            f'      <h3 id="q{pk}" class="h6">{number}. {escape(r.question.text)}</h3>\n'
            f"      {body}\n"
            "    </div></section>\n    "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value escaped above


def streets_html(by_street) -> SafeString:
    """The rows of the responses per street: (street, how many)."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<tr><td>{escape(str(street))}</td><td class="text-end">{n}</td></tr>'
            for street, n in by_street
        )
    )


def channels_html(by_channel) -> SafeString:
    """A badge per channel: (label, how many)."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<span class="badge text-bg-light border">{escape(str(label))}: {n}</span>'
            for label, n in by_channel
        )
    )

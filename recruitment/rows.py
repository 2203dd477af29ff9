"""The selection's rows as HTML, written here rather than as a template loop: each row carries
its next-step form (and a merge form for a possible duplicate), and at 25 rows the template
engine's cost per variable, tag and filter was most of the page's time. The markup, ids and
texts are the ones the template had: the same msgids, so the catalogue is unchanged.

Every value from the database is escaped (`escape`, as the template's autoescape); a
translated text is trusted as the template trusts it, with the values put in escaped, as
{% blocktranslate %} does."""

from collections.abc import Callable
from html import escape
from urllib.parse import urlencode

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from programmes.dates import datetime_formatter

from .models import Application
from .workflow import Stage, next_moves

MOTIVATION_SHOWN = 300  # characters of the motivation on the row; the rest is cut off ("…")
MERGE_STAGES = (Stage.APPLIED, Stage.INVITED, Stage.INTERVIEW)  # before any decision


def _short(text: str, length: int) -> str:
    """`text` cut to `length` characters as the truncatechars filter does."""
    return text if len(text) <= length else Truncator(text).chars(length)


class _Texts:
    """The translated texts of a row, looked up once per language (`_texts`)."""

    def __init__(self):
        self.sources = {value: str(label) for value, label in Application.Source.choices}
        self.stages = {value: str(label) for value, label in Stage.choices}
        self.options = {
            stage: "".join(
                f'<option value="{s}">{escape(self.stages[s])}</option>'
                for s in next_moves(stage, by_client=False)
            )
            for stage in Stage.values
        }
        self.advice = escape(_("Advice"))
        self.client = escape(_("Client"))
        self.duplicate = escape(_("Possible duplicate"))
        self.same_email = _("Same e-mail address as %(name)s (applied %(date)s).")
        self.same_address = _("Same name and address as %(name)s (applied %(date)s).")
        self.merge_with = _("Merge with the application of %(name)s")
        self.keep = escape(
            _(
                "Which application do you keep? What only the other one has (answers, consent, "
                "notes) is carried over."
            )
        )
        self.the_one_of = _("The one of %(date)s (%(stage)s)")
        self.merge = escape(_("Merge"))
        self.next_for = _("Next step for %(name)s")
        self.next = escape(_("Next step"))
        self.note = escape(_("Note"))
        self.advice_for = escape(_("Advice for the client"))
        self.advice_help = escape(_("Needed when you propose the applicant; the client reads it."))
        self.save = escape(_("Save"))
        self.all_stages = escape(_("All stages"))
        self.stages_label = escape(_("Stages"))


_by_language: dict[str, _Texts] = {}


def _texts() -> _Texts:
    """The row texts in the active language, translated once per process and language."""
    language = get_language()
    if language not in _by_language:
        _by_language[language] = _Texts()
    return _by_language[language]


def _merge_form(a, texts: _Texts, csrf: str, day_time) -> str:
    """The form that merges `a` with its possible duplicate, the older one chosen to keep."""
    twin = a.duplicate
    choices = []  # the older one first, checked: kept unless chosen otherwise
    for i, b in enumerate(sorted([a, twin], key=lambda x: (x.created_at, x.pk))):
        label = texts.the_one_of % {
            "date": escape(day_time(b.created_at)),
            "stage": escape(texts.stages.get(b.stage, b.stage)),
        }
        choices.append(
            f'<div class="form-check"><input class="form-check-input" type="radio" '
            f'name="merge_keep" id="keep-{a.pk}-{b.pk}" value="{b.pk}"'
            f"{' checked' if i == 0 else ''}>\n"
            f'                <label class="form-check-label small" for="keep-{a.pk}-{b.pk}">'
            f"{label}: <q>{escape(_short(b.motivation, 60))}</q></label></div>"
        )
    return (
        '\n        <details class="mt-1"><summary class="small">'
        f"{texts.merge_with % {'name': escape(twin.name)}}</summary>\n"
        '          <form method="post" class="mt-1" data-submit-once>'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        f'<input type="hidden" name="merge_pair" value="{a.pk}-{twin.pk}">\n'
        f'            <fieldset><legend class="form-label small mb-1">{texts.keep}</legend>\n'
        f"              {''.join(choices)}\n"
        "            </fieldset>\n"
        '            <button type="submit" class="btn btn-sm btn-outline-primary">'
        f"{texts.merge}</button>\n"
        "          </form>\n"
        "        </details>"
    )


def _move_form(a, texts: _Texts, csrf: str, options: str) -> str:
    """The next-step form of `a` (MoveForm's fields, named and labelled as it names them)."""
    pk = a.pk
    return (
        '\n        <details class="mt-1"><summary class="small">'
        f"{texts.next_for % {'name': escape(a.name)}}</summary>\n"
        '          <form method="post" class="mt-1" novalidate>'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        f'<input type="hidden" name="application" value="{pk}">\n'
        f'            <div class="mb-2"><label class="form-label" for="id_a{pk}_stage">'
        f'{texts.next}<span class="asteriskField">*</span></label>\n'
        f'              <select name="stage" id="id_a{pk}_stage" class="form-select" required>'
        f"{options}</select></div>\n"
        f'            <div class="mb-2"><label class="form-label" for="id_a{pk}_note">'
        f"{texts.note}</label>\n"
        f'              <input type="text" name="note" id="id_a{pk}_note" class="form-control" '
        'maxlength="2000"></div>\n'
        f'            <div class="mb-2"><label class="form-label" for="id_a{pk}_advice">'
        f"{texts.advice_for}</label>\n"
        f'              <textarea name="advice" id="id_a{pk}_advice" rows="2" '
        f'class="form-control" maxlength="2000" aria-describedby="id_a{pk}_advice_helptext">'
        "</textarea>\n"
        f'              <div id="id_a{pk}_advice_helptext" class="form-text">'
        f"{texts.advice_help}</div></div>\n"
        '            <button type="submit" class="btn btn-sm btn-brand">'
        f"{texts.save}</button>\n"
        "          </form>\n"
        "        </details>"
    )


def selection_rows(applications, *, csrf_token: str) -> dict[str, SafeString]:
    """Per stage, the HTML of its rows among `applications` (in their order), each with
    `duplicate` and `duplicate_by_email` set (SelectionView)."""
    texts = _texts()
    day, day_time = datetime_formatter("j N"), datetime_formatter("j N H:i")
    csrf = escape(str(csrf_token))
    rows: dict[str, list[str]] = {}
    for a in applications:
        phone = f" · {escape(a.phone)}" if a.phone else ""
        extra = ""
        if a.advice:
            extra += (
                f'\n            <div class="small"><em>{texts.advice}:</em> '
                f"{escape(a.advice)}</div>"
            )
        if a.client_reason:
            extra += (
                f'\n            <div class="small"><em>{texts.client}:</em> '
                f"{escape(a.client_reason)}</div>"
            )
        twin = a.duplicate
        if twin:
            same = texts.same_email if a.duplicate_by_email else texts.same_address
            extra += (
                f'\n            <div class="small mt-1" data-duplicate="{a.pk}">'
                f'<span class="badge text-bg-warning">{texts.duplicate}</span>\n              '
                + same % {"name": escape(twin.name), "date": escape(day(twin.created_at))}
                + "</div>"
            )
        forms = ""
        if twin and a.stage in MERGE_STAGES and twin.stage in MERGE_STAGES:
            forms += _merge_form(a, texts, csrf, day_time)
        if options := texts.options.get(a.stage):
            forms += _move_form(a, texts, csrf, options)
        rows.setdefault(a.stage, []).append(
            '\n      <div class="border-bottom py-2">\n'
            '        <div class="d-flex flex-wrap justify-content-between gap-2">\n'
            f"          <div><strong>{escape(a.name)}</strong> · {escape(a.street)} "
            f'{escape(a.house_number)} <span class="small text-body-secondary">· '
            f"{escape(a.email)}{phone} · {escape(texts.sources.get(a.source, a.source))} · "
            f"{escape(day(a.created_at))}</span>\n"
            '            <div class="small prewrap">'
            f"{escape(_short(a.motivation, MOTIVATION_SHOWN))}</div>"
            f"{extra}\n"
            "          </div>\n"
            "        </div>"
            f"{forms}\n"
            "      </div>"
        )
    return {stage: mark_safe("".join(html)) for stage, html in rows.items()}  # noqa: S308 - every value escaped above


def _tab(here: bool, href: str, label: str, count: int) -> str:
    """A stage tab: `href` and `label` escaped already."""
    if here:
        return (
            '<li class="nav-item"><a class="nav-link active" aria-current="page" '
            f'href="{href}">{label} ({count})</a></li>'
        )
    return f'<li class="nav-item"><a class="nav-link" href="{href}">{label} ({count})</a></li>'


def _stage_links(get) -> Callable[[str | None], str]:
    """The link to a stage (None: to all stages), escaped: what {% querystring stage=...
    page=None %} writes for the request's parameters `get`, with the other parameters encoded
    once per page instead of once per link."""
    encoding = get.encoding
    entries: list[list[str] | None] = []  # per parameter kept, its encoded pairs; None: stage
    for key, values in get.lists():
        if key == "page":
            continue
        if key == "stage":
            entries.append(None)
            continue
        k = key.encode(encoding)
        entries.append([urlencode({k: str(v).encode(encoding)}) for v in values])
    if None not in entries:
        entries.append(None)  # a stage not asked for yet goes last

    def href(value: str | None) -> str:
        stage = [] if value is None else [urlencode({b"stage": value.encode(encoding)})]
        pairs = [pair for entry in entries for pair in (stage if entry is None else entry)]
        return escape(f"?{'&'.join(pairs)}")

    return href


def selection_stages(
    request, *, stage: str, counts: dict[str, int], rows: dict[str, SafeString]
) -> SafeString:
    """The selection's stage tabs and, per stage shown (every stage, or the one of `stage`),
    its card: its `rows` (from `selection_rows`), or a link to the stage's own list when its
    rows are on another page, or a dash. Written as the template wrote them: each link keeps
    the request's other parameters ({% querystring stage=... page=None %}), numbers plain
    ({% localize off %})."""
    href = _stage_links(request.GET)
    texts = _texts()
    total = sum(counts.values())
    tabs = [_tab(not stage, href(None), texts.all_stages, total)]
    sections = []
    for value, label in texts.stages.items():
        here = stage == value
        tabs.append(_tab(here, href(value), escape(label), counts[value]))
        if stage and not here:
            continue
        count = counts[value]
        if found := rows.get(value):
            body = f"{found}\n      "
        elif count:
            more = ngettext(
                "Show the %(counter)s applicant at this stage",
                "Show the %(counter)s applicants at this stage",
                count,
            ) % {"counter": count}
            body = f'<p class="small mb-0"><a href="{href(value)}">{more}</a></p>'
        else:
            body = '<p class="text-body-secondary small mb-0">–</p>'
        sections.append(
            f'\n    <section class="card border-0 shadow-sm mb-3" aria-labelledby="stage-{value}">'
            '<div class="card-body">\n'
            f'      <h2 id="stage-{value}" class="h6 text-uppercase text-body-secondary">'
            f"{escape(label)} ({count})</h2>\n      \n      {body}\n    </div></section>\n    "
        )
    return mark_safe(  # noqa: S308 - every value escaped above
        f'<nav aria-label="{texts.stages_label}" class="mb-3">\n'
        '      <ul class="nav nav-pills flex-wrap small">\n        '
        + tabs[0]
        + "\n        "
        + "".join(tabs[1:])
        + "\n      </ul>\n    </nav>\n    "
        + "".join(sections)
    )


def prospect_rows(prospects, *, csrf_token: str) -> SafeString:
    """The survey results' respondents who would join (a page of `survey_prospects` as dicts
    of `selectors.PROSPECT_COLUMNS`), each with its name (or e-mail address) and street, and
    "in recruitment" or the form that takes the respondent there (SurveyResultsView); ""
    for none."""
    csrf = escape(str(csrf_token))
    in_recruitment = escape(_("in recruitment"))
    to_recruitment = escape(_("To recruitment"))
    html = []
    for p in prospects:
        if p["application_id"]:
            action = f'<span class="badge text-bg-success">{in_recruitment}</span>'
        else:
            action = (
                '<form method="post">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
                f'<button class="btn btn-sm btn-outline-brand" name="convert" value="{p["pk"]}" '
                f'type="submit">{to_recruitment}</button></form>'
            )
        html.append(
            '<div class="d-flex justify-content-between align-items-center py-1 border-bottom">'
            f"<span>{escape(p['contact_name'] or p['contact_email'])}<br>"
            f'<span class="small text-body-secondary">{escape(p["street"])}</span></span>\n'
            f"        {action}</div>\n      "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value escaped above

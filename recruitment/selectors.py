"""Reads of the recruitment app that the pages share.

Each read is scoped by a programme (or survey) the page already fetched for the acting user;
fetching by a posted id goes through `get_<thing>_for(...)`, which answers 404 both for
"missing" and for "not yours", so an outsider cannot tell the two apart.
"""

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import statements
from programmes.models import Document, Meeting, Organisation, Programme
from programmes.statements import datetime_mark, id_mark, text_mark

from . import tallies
from .documents import RECRUITMENT_FLYER, RECRUITMENT_POSTER, SURVEY_REPORT
from .models import (
    Answer,
    Application,
    ApplicationEvent,
    Channel,
    DoorVisit,
    HeardVia,
    Question,
    Survey,
    SurveyResponse,
    SurveyTally,
)
from .workflow import Stage


def _squashed(value: str) -> str:
    """`value` as the database squashes it for `Application.name_key`: lower case, no spaces."""
    return value.lower().replace(" ", "")


# What a row of the selection shows, and what finding its twins needs (not the consent text,
# the availability or the retention date: loading those for every row costs for nothing).
_SELECTION_FIELDS = (
    "name",
    "email",
    "phone",
    "street",
    "house_number",
    "postcode",
    "motivation",
    "source",
    "stage",
    "advice",
    "client_reason",
    "created_at",
    "email_key",
    "name_key",
    "organisation_id",
    "programme_id",
)


def applications_for_selection(*, programme: Programme, stage: str = "") -> QuerySet[Application]:
    """The programme's applications that were not merged into another (at `stage`, when
    given), in the order of the stages and newest first within a stage, with the fields a
    row shows; the page slices it."""
    return _for_selection(programme.pk, stage)


def _for_selection(programme_id: int, stage: str) -> QuerySet[Application]:
    qs = Application.objects.filter(programme_id=programme_id, merged_into__isnull=True)
    # Each order is an index's: (stage, created_at) within a stage, the stored stage rank
    # across them; a page reads its rows from the index instead of sorting the programme's.
    if stage:
        qs = qs.filter(stage=stage).order_by("-created_at", "-pk")
    else:
        qs = qs.order_by("stage_rank", "-created_at", "-pk")
    return qs.only(*_SELECTION_FIELDS)


def Row(pairs) -> SimpleNamespace:  # noqa: N802 - reads as the class it stands for
    """A row read as values, its columns as attributes (what a template or `recruitment.rows`
    reads of a model instance), without building a model instance for it."""
    return SimpleNamespace(**dict(pairs))


# The columns of a row of the selection page (`selection_page`), in their order.
_PAGE_COLUMNS = ("pk", *_SELECTION_FIELDS)


class _KnownRows:
    """Rows whose number is known (the stage counts): the paginator slices them, and each
    slice is one compiled statement with its LIMIT and OFFSET as parameters."""

    ordered = True

    def __init__(self, fetch, count: int):
        self._fetch, self._count = fetch, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, item: slice) -> list:
        start = item.start or 0
        stop = self._count if item.stop is None else item.stop
        return self._fetch(start, stop - start) if stop > start else []


def selection_page(request, *, programme: Programme, stage: str, count: int, per_page: int):
    """The page (`?page=`, as `programmes.pagination.paginate` answers it) of
    `applications_for_selection` with `count` rows in all (known from the stage counts: no
    COUNT of its own), each a `Row` of the application's id and the fields a row shows. One
    statement compiled once (programmes.statements), run in the request's tenant scope."""
    key = ("recruitment.selection_page", bool(stage))
    values = {id_mark(0): programme.pk}
    if stage:
        values[text_mark(0)] = stage

    def build():
        return _for_selection(id_mark(0), text_mark(0) if stage else "").values_list(*_PAGE_COLUMNS)

    def fetch(offset: int, limit: int) -> list[SimpleNamespace]:
        found = statements.rows(key, build, values, scoped=True, limit=limit, offset=offset)
        return [Row(zip(_PAGE_COLUMNS, row, strict=True)) for row in found]

    return Paginator(_KnownRows(fetch, count), per_page).get_page(request.GET.get("page"))


class Counted:
    """A queryset with its number of rows known beforehand (from counts the page needs
    anyway): the paginator slices it without running a COUNT of its own."""

    def __init__(self, queryset: QuerySet, *, count: int):
        self.queryset = queryset
        self.ordered = queryset.ordered
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.queryset[key]


def stage_counts(*, programme: Programme) -> dict[str, int]:
    """How many live applications of `programme` are at each stage (one grouped query)."""
    counts = dict.fromkeys(Stage.values, 0)
    for row in (
        Application.objects.filter(programme=programme, merged_into__isnull=True)
        .values("stage")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["stage"]] = row["n"]
    return counts


def selection_counts(*, programme: Programme, seconds: int) -> tuple[dict[str, int], int]:
    """`stage_counts` and how many of those applications were decided in the last `seconds`
    (`decisions_recent`): the selection asks for the decisions themselves only when there are
    any, which is seldom. Two statements compiled once (programmes.statements): the counts
    along the index of live applications by stage (an index-only scan), the recent decisions
    along the events' index by time (a handful of rows). Counting the decisions in the same
    grouped query tested every application against them (half its time at 5,000)."""
    counts = dict.fromkeys(Stage.values, 0)
    for stage, n in statements.rows(
        "recruitment.selection_counts", _selection_counts, {id_mark(0): programme.pk}, scoped=True
    ):
        counts[stage] = n
    since = timezone.now() - timedelta(seconds=seconds)
    recent = statements.count(
        "recruitment.selection_decided",
        _recently_decided,
        {id_mark(0): programme.pk, datetime_mark(0): since},
        scoped=True,
    )
    return counts, recent


def _selection_counts():
    return (
        Application.objects.filter(programme_id=id_mark(0), merged_into__isnull=True)
        .values("stage")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("stage", "n")
    )


def _recently_decided():
    """The live applications of the programme `id_mark(0)` that are selected or not and were
    decided so since `datetime_mark(0)`."""
    return (
        Application.objects.filter(
            pk__in=_decided(id_mark(0), datetime_mark(0)),
            programme_id=id_mark(0),
            merged_into__isnull=True,
            stage__in=[Stage.SELECTED, Stage.NOT_SELECTED],
        )
        .order_by()
        .values("pk")
    )


def _decided(programme_id: int, since) -> QuerySet:
    """The ids of the programme's applications decided since `since` (by their events)."""
    return ApplicationEvent.objects.filter(
        application__programme_id=programme_id,
        to_stage__in=[Stage.SELECTED, Stage.NOT_SELECTED],
        created_at__gte=since,
    ).values("application_id")


def duplicates_of(*, programme: Programme, applications) -> dict:
    """For each of `applications` (a page of the selection), the first other live application
    of `programme` that looks like the same resident, as `(by_email, by_address)`: the same
    e-mail address (case and surrounding spaces ignored), and the same name and house number
    (case and spaces ignored) at the same postcode or street. One query, answered by the
    stored keys' indexes whatever the number of applications, compiled once per number of
    keys (programmes.statements); each twin is a `Row` of `_TWIN_FIELDS` and its id."""
    applications = list(applications)
    emails = sorted({a.email_key for a in applications if a.email_key})
    names = sorted({a.name_key for a in applications if not a.name_key.startswith("|")})
    if not emails and not names:
        return {a.pk: (None, None) for a in applications}
    email_marks = [text_mark(i) for i in range(len(emails))]
    name_marks = [text_mark(len(emails) + i) for i in range(len(names))]

    def build():
        live = Application.objects.filter(programme_id=id_mark(0), merged_into__isnull=True)

        def shared(key: str):
            # Only an application whose key another live one has too: the twins, not every
            # application of the page (each has its own keys), so a page without duplicates
            # reads no rows.
            others = live.filter(**{key: OuterRef(key)}).exclude(pk=OuterRef("pk"))
            return Exists(others.order_by().values("pk"))

        rows = live.order_by().values_list(*_TWIN_COLUMNS)
        # A union of the two lookups, not one OR: SQLite answers each from its key's index,
        # where the OR had it read every application of the programme.
        return (
            rows.filter(shared("email_key"), email_key__in=email_marks)
            .union(rows.filter(shared("name_key"), name_key__in=name_marks))
            .order_by("created_at", "pk")
        )

    values = {id_mark(0): programme.pk}
    values |= dict(zip(email_marks, emails, strict=True))
    values |= dict(zip(name_marks, names, strict=True))
    twins = statements.rows(
        ("recruitment.duplicates_of", len(emails), len(names)), build, values, scoped=True
    )
    by_email, by_name = defaultdict(list), defaultdict(list)
    for row in twins:
        t = Row(zip(_TWIN_COLUMNS, row, strict=True))
        by_email[t.email_key].append(t)
        by_name[t.name_key].append(t)
    found = {}
    for a in applications:
        email = a.email_key and next((t for t in by_email[a.email_key] if t.pk != a.pk), None)
        address = next(
            (t for t in by_name[a.name_key] if t.pk != a.pk and _same_address(a, t)), None
        )
        found[a.pk] = (email or None, address)
    return found


# What the page shows of the other application (name, date, stage, motivation) and what
# telling the two apart needs.
_TWIN_FIELDS = (
    "name",
    "created_at",
    "stage",
    "motivation",
    "email_key",
    "name_key",
    "postcode",
    "street",
    "organisation_id",
    "programme_id",
)
_TWIN_COLUMNS = ("pk", *_TWIN_FIELDS)


def _same_address(a, b) -> bool:
    if a.name_key != b.name_key or a.name_key.startswith("|"):
        return False
    postcode = _squashed(a.postcode)
    street = _squashed(a.street)
    return bool(postcode and postcode == _squashed(b.postcode)) or bool(
        street and street == _squashed(b.street)
    )


def decisions_recent(*, programme: Programme, seconds: int) -> QuerySet[Application]:
    """The live applications of `programme` decided (selected or not) in the last `seconds`:
    the only ones whose decision mail can still be held, so the page asks the outbox about
    these few instead of every decided applicant."""
    return Application.objects.filter(
        programme=programme,
        merged_into__isnull=True,
        stage__in=[Stage.SELECTED, Stage.NOT_SELECTED],
        pk__in=_decided(programme.pk, timezone.now() - timedelta(seconds=seconds)),
    )


# --- Applications ---------------------------------------------------------------------------


def get_application_for(*, programme: Programme, pk, stages=None) -> Application:
    """The application `pk` of `programme` (at one of `stages`, when given); 404 otherwise."""
    qs = Application.objects.filter(programme=programme)
    if stages is not None:
        qs = qs.filter(stage__in=list(stages))
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def applications_to_invite(*, programme: Programme) -> QuerySet[Application]:
    """The applicants of `programme` an information meeting is for: applied or invited."""
    return Application.objects.filter(programme=programme, stage__in=[Stage.APPLIED, Stage.INVITED])


def candidates_proposed(*, programme: Programme) -> QuerySet[Application]:
    """What the client decides on: the programme's proposed candidates, newest first (merged
    applications left out); the page slices it."""
    return Application.objects.filter(
        programme=programme, merged_into__isnull=True, stage=Stage.PROPOSED
    ).order_by("-created_at", "-pk")


def candidates_decided(*, programme: Programme) -> QuerySet[Application]:
    """The candidates the client decided on, by name (merged applications left out)."""
    return Application.objects.filter(
        programme=programme,
        merged_into__isnull=True,
        stage__in=[Stage.SELECTED, Stage.NOT_SELECTED],
    ).order_by("name", "pk")


def proposed_counts(*, organisation: Organisation):
    """Per programme of `organisation`: how many candidates wait for the client's decision
    (rows with programme_id, programme__name and waiting; one query)."""
    return (
        Application.objects.filter(organisation=organisation, stage=Stage.PROPOSED)
        .values("programme_id", "programme__name")
        .annotate(waiting=Count("pk"))
        .order_by("programme__name")
    )


# --- Campaign -------------------------------------------------------------------------------


def get_public_programme(*, organisation: Organisation, pk) -> Programme:
    """The programme `pk` of the client whose public page is asked for; 404 otherwise."""
    found = organisation.programmes.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def information_meetings_ahead(*, programme: Programme) -> list[dict]:
    """The programme's information meetings that have not begun, soonest first: each a dict
    of its `pk`, `title` and `starts_at` (one statement compiled once)."""
    return statements.dicts(
        "recruitment.information_meetings_ahead",
        _meetings_ahead,
        {id_mark(0): programme.pk, datetime_mark(0): timezone.now()},
        scoped=True,
    )


def _meetings_ahead():
    return (
        Meeting.objects.filter(
            programme_id=id_mark(0), kind="information", starts_at__gte=datetime_mark(0)
        )
        .order_by("starts_at")
        .values("pk", "title", "starts_at")
    )


# The columns of a document as `recruitment_material` reads them.
_DOCUMENT_COLUMNS = tuple(f.attname for f in Document._meta.concrete_fields)


def recruitment_material(*, programme: Programme) -> dict[str, Document | None]:
    """The programme's newest recruitment flyer and poster (None when not made yet), in one
    query: the newest of each kind, whatever the number asked for before (one statement
    compiled once)."""
    using = Document.objects.db
    found = statements.rows(
        "recruitment.recruitment_material",
        _material,
        {id_mark(0): programme.pk},
        using,
        scoped=True,
    )
    newest = {}
    for row in found:
        document = Document.from_db(using, _DOCUMENT_COLUMNS, row)
        newest[document.kind] = document
    return {"flyer": newest.get(RECRUITMENT_FLYER), "poster": newest.get(RECRUITMENT_POSTER)}


def _material():
    return (
        Document.objects.filter(
            programme_id=id_mark(0), kind__in=[RECRUITMENT_FLYER, RECRUITMENT_POSTER]
        )
        .annotate(
            newest=Window(
                RowNumber(),
                partition_by=F("kind"),
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(newest=1)
        .values_list(*_DOCUMENT_COLUMNS)
    )


def channels_of(*, programme: Programme) -> QuerySet[Channel]:
    """The channels the programme's campaign used."""
    return Channel.objects.filter(programme=programme)


@dataclass(frozen=True, slots=True)
class ListedChannel:
    """A channel as the campaign page lists it (and `channel_figures_for` counts it)."""

    kind: str
    date: object
    reach: str


def _channel_rows():
    return Channel.objects.filter(programme_id=id_mark(0)).values_list("kind", "date", "reach")


def channels_listed(*, programme: Programme) -> list[ListedChannel]:
    """`channels_of` in their order, as plain rows: one statement compiled once
    (programmes.statements), run in the request's tenant scope."""
    return [
        ListedChannel(*row)
        for row in statements.rows(
            "recruitment.channels", _channel_rows, {id_mark(0): programme.pk}, scoped=True
        )
    ]


_WAITING = [s for s in Stage.values if s not in (Stage.SELECTED, Stage.NOT_SELECTED)]


def _heard_via_counts():
    return (
        Application.objects.filter(programme_id=id_mark(0), merged_into__isnull=True)
        .values("heard_via", "stage")
        .annotate(n=Count("*"))  # the index's entries: no row read
        .order_by()
        .values_list("heard_via", "stage", "n")
    )


def channel_figures_for(*, programme: Programme, channels=None) -> dict:
    """Which channel brought applicants: per way of hearing of the campaign (the campaign's
    channel kinds, a neighbour, other, and "not said"), the live applications of `programme`
    (merged ones left out) and how far they got, next to the channels the campaign used of
    that kind, as plain values for the campaign page and the reporting app.

    `rows`: per way heard of (each kind the campaign used or an applicant named, in the
    choices' order, "not said" last): `heard_via` ("" for not said), `label`,
    `applications`, `stages` (count per `Stage` value), `selected`, `not_selected` (declined
    by the client or stopped by the consultancy: the stages do not tell the two apart),
    `waiting` (not decided yet) and `used` (the campaign's channels of that kind: `date`,
    `reach`). `totals`: the same counts over all rows. `stages`: (value, label) in order.
    Two queries, counted in SQL over the index on programme, heard_via and stage; one when
    the page passes the programme's `channels` (`channels_of`), which it lists anyway."""
    counts = defaultdict(dict)
    for heard, stage, n in statements.rows(  # compiled once (programmes.statements)
        "recruitment.channel_figures", _heard_via_counts, {id_mark(0): programme.pk}, scoped=True
    ):
        counts[heard][stage] = n
    if channels is None:
        channels = Channel.objects.filter(programme=programme).only("kind", "date", "reach")
    used = defaultdict(list)
    for channel in channels:
        used[channel.kind].append({"date": channel.date, "reach": channel.reach})

    def row(value, label):
        stages = {s: counts[value].get(s, 0) for s in Stage.values}
        return {
            "heard_via": value,
            "label": str(label),
            "applications": sum(stages.values()),
            "stages": stages,
            "selected": stages[Stage.SELECTED],
            "not_selected": stages[Stage.NOT_SELECTED],
            "waiting": sum(stages[s] for s in _WAITING),
            "used": used.get(value, []),
        }

    rows = [
        row(value, label)
        for value, label in [*HeardVia.choices, ("", _("Not said"))]
        if value in counts or value in used
    ]
    keys = ("applications", "selected", "not_selected", "waiting")
    totals = {k: sum(r[k] for r in rows) for k in keys}
    totals["stages"] = {s: sum(r["stages"][s] for r in rows) for s in Stage.values}
    return {"rows": rows, "totals": totals, "stages": [(v, str(lbl)) for v, lbl in Stage.choices]}


def door_coverage(*, programme: Programme) -> QuerySet:
    """Per street (alphabetical): the doors visited and how it went, counted in SQL over the
    index on programme, street and outcome; the page slices it."""
    return (
        DoorVisit.objects.filter(programme=programme)
        .values("street")
        .annotate(
            doors=Count("*"),
            not_home=Count("id", filter=Q(outcome=DoorVisit.Outcome.NOT_HOME)),
            interested=Count(
                "id",
                filter=Q(outcome__in=[DoorVisit.Outcome.INTERESTED, DoorVisit.Outcome.APPLIED]),
            ),
        )
        .order_by("street")
    )


# A row of `door_coverage` as the campaign page reads it.
COVERAGE_COLUMNS = ("street", "doors", "not_home", "interested")


def door_coverage_rows():
    """`door_coverage` of the programme `id_mark(0)` as `COVERAGE_COLUMNS`, for a statement
    compiled once (programmes.statements) that the page runs with the programme's id."""
    return door_coverage(programme=Programme(pk=id_mark(0))).values_list(*COVERAGE_COLUMNS)


# --- Neighbourhood survey -------------------------------------------------------------------


def surveys_of(*, programme: Programme) -> QuerySet[Survey]:
    """The programme's neighbourhood surveys."""
    return programme.surveys.all()


def _instances(key: str, model, build, values: dict, **known) -> list:
    """The `model` instances of the queryset `build()` (about the marks of `values`), read by
    a statement compiled once (programmes.statements) in the request's tenant scope, each
    with the related objects of `known` set, as a related manager sets its owner: what the
    queryset gives, without building and compiling it on every page."""
    names = [f.attname for f in model._meta.concrete_fields]
    found = statements.rows(
        ("recruitment.instances", key), lambda: build().values_list(*names), values, scoped=True
    )
    db = model.objects.db
    instances = [model.from_db(db, names, row) for row in found]
    for instance in instances:
        for name, value in known.items():
            setattr(instance, name, value)
    return instances


def _one_survey():
    return Survey.objects.filter(programme_id=id_mark(0), pk=id_mark(1)).order_by()[:1]


def get_survey_for(*, programme: Programme, pk) -> Survey:
    """The survey `pk` of `programme`; 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:  # no such row; too large for the database's integer besides
        raise Http404
    found = _instances(
        "survey",
        Survey,
        _one_survey,
        {id_mark(0): programme.pk, id_mark(1): pk},
        programme=programme,
    )
    if not found:
        raise Http404
    return found[0]


def get_public_survey(*, public_id) -> Survey:
    """The survey behind a public link (in the active scope), with its programme; 404 for a
    malformed or unknown link and for a draft."""
    try:
        uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    found = Survey.objects.filter(public_id=public_id).select_related("programme").first()
    if found is None or found.status == Survey.Status.DRAFT:
        raise Http404
    return found


def questions_of(*, survey: Survey) -> QuerySet[Question]:
    """The survey's questions in order."""
    return survey.questions.all()


def _questions():
    return Question.objects.filter(survey_id=id_mark(0))


def _survey_questions(survey: Survey) -> list[Question]:
    """`questions_of(survey=survey)` as a list, read by a statement compiled once."""
    return _instances("questions", Question, _questions, {id_mark(0): survey.pk}, survey=survey)


def find_question(*, survey: Survey, pk) -> Question | None:
    """The question `pk` of `survey`, or None (removed already, or not this survey's)."""
    return survey.questions.filter(pk=pk).first()


def get_response_for(*, survey: Survey, pk) -> SurveyResponse:
    """The response `pk` to `survey`; 404 otherwise."""
    found = survey.responses.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# Open answers and streets the results page shows; the CSV export holds every response.
OPEN_ANSWERS_SHOWN = 20
STREETS_SHOWN = 30
_OPTIONS = {"yesno": ["ja", "nee"], "scale": ["1", "2", "3", "4", "5"]}


@dataclass
class QuestionCounts:
    """One question's results: (label, count, percent) per option, or the newest open answers
    (`texts`, with `more` not shown)."""

    question: Question
    counts: list = field(default_factory=list)
    answered: int = 0
    average: float | None = None
    texts: list | None = None
    more: int = 0


def _fold(rows) -> tuple[dict, Counter]:
    """The tally rows (question id, dimension, value, n) as per closed question its options'
    counts, (option, n) each, and per question how many answered it."""
    combos = defaultdict(list)
    answered = Counter()
    for question_id, dimension, value, n in rows:
        if dimension == tallies.ANSWERED:
            answered[question_id] = n
        else:
            combos[question_id].append((value, n))
    return combos, answered


def _answer_counts(questions) -> tuple[dict, Counter]:
    """For `questions` (of one survey or several): per closed question its options' counts,
    (option, n) each, and per question how many answered it, from the tallies the responses
    keep (SurveyTally): one short query, whatever the number of answers."""
    if not questions:
        return defaultdict(list), Counter()
    # Compiled once per number of questions (programmes.statements).
    marks = [id_mark(i) for i in range(len(questions))]

    def build():
        return SurveyTally.objects.filter(
            question_id__in=marks, dimension__in=[tallies.OPTION, tallies.ANSWERED]
        ).values_list("question_id", "dimension", "value", "n")

    found = statements.rows(
        ("recruitment.answer_counts", len(marks)),
        build,
        dict(zip(marks, [q.pk for q in questions], strict=True)),
        scoped=True,
    )
    return _fold(found)


def _per_option(combos) -> Counter:
    """How many chose each option, from the (option, n) rows of one question."""
    counter = Counter()
    for option, n in combos:
        counter[str(option)] += n
    return counter


def _survey_rows(name: str, build, pk: int) -> list[tuple]:
    """The rows of `build()`'s statement (about the survey or question `id_mark(0)`) for `pk`,
    compiled once (programmes.statements) and run in the request's tenant scope."""
    return statements.rows(("recruitment.survey", name), build, {id_mark(0): pk}, scoped=True)


def _newest_texts():
    """The newest open answers to a question, newest first."""
    return (
        Answer.objects.filter(question_id=id_mark(0))
        .order_by("-pk")
        .values_list("value")[:OPEN_ANSWERS_SHOWN]
    )


def _survey_tallies():
    """A survey's tallies but its streets: its questions' and its channels'."""
    return (
        SurveyTally.objects.filter(survey_id=id_mark(0))
        .exclude(dimension=tallies.STREET)
        .values_list("question_id", "dimension", "value", "n")
    )


def _by_street():
    """The streets with the most responses to a survey, along their tallies' index, each
    row also telling how many streets there are."""
    return (
        SurveyTally.objects.filter(survey_id=id_mark(0), dimension=tallies.STREET, n__gt=0)
        .annotate(streets=Window(Count("*")))
        .order_by("-n", "value")
        .values_list("value", "n", "streets")[:STREETS_SHOWN]
    )


def survey_counts(*, survey: Survey) -> dict:
    """The survey's results from the tallies its responses keep (SurveyTally): per question
    the answers per option (several choices counted per option), the scale's average, the
    newest open answers; the responses by channel and the streets with the most responses
    (`streets_more`: how many streets more). Three queries (questions, tallies, streets) and
    one per open question, whatever the number of responses."""
    questions = _survey_questions(survey)
    open_ = [q.pk for q in questions if q.kind == Question.Kind.TEXT]
    # The tallies the responses keep (SurveyTally): one query for the questions and channels.
    found = _survey_rows("tallies", _survey_tallies, survey.pk)
    combos, answered = _fold(row for row in found if row[1] != tallies.CHANNEL)
    by_channel = {value: n for _q, dimension, value, n in found if dimension == tallies.CHANNEL}
    # The newest open answers, oldest of them first: one short query per open question, read
    # backwards along its index, where one window over all of them sorted every answer
    # (8 ms at 5,000 responses).
    texts = {
        pk: [value for (value,) in reversed(_survey_rows("open_texts", _newest_texts, pk))]
        for pk in open_
    }
    labels = {"ja": _("Yes"), "nee": _("No")}
    results = []
    for q in questions:
        total = answered.get(q.pk, 0)
        result = QuestionCounts(question=q, answered=total)
        if q.kind == Question.Kind.TEXT:
            result.texts = texts[q.pk]
            result.more = total - len(result.texts)
        else:
            counter = _per_option(combos[q.pk])
            result.counts = [
                (labels.get(o, o), counter[o], round(100 * counter[o] / total) if total else 0)
                for o in _OPTIONS.get(q.kind, q.options)
            ]
            if q.kind == Question.Kind.SCALE and total:
                result.average = round(sum(int(v) * n for v, n in combos[q.pk]) / total, 1)
        results.append(result)
    top = _survey_rows("by_street", _by_street, survey.pk)
    return {
        "questions": results,
        "total": sum(by_channel.values()),
        "by_channel": [(SurveyResponse.Channel(c).label, n) for c, n in sorted(by_channel.items())],
        "by_street": [(street or "–", n) for street, n, _streets in top],
        "streets_more": max(top[0][2] - STREETS_SHOWN, 0) if top else 0,
    }


# --- Follow-up compared with its baseline (impact) --------------------------------------------


def _one_decimal(value: float) -> float:
    """`value` rounded to one decimal, halves up (as a reader rounds 12.25 to 12.3)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _side(question: Question | None, combos, answered) -> dict:
    """One side (baseline or follow-up) of a compared question: how many answered, the count
    and share (percent of those who answered the question) per option, the scale's mean."""
    if question is None:
        return {"answered": None, "counts": {}, "shares": {}, "mean": None, "options": []}
    total = answered.get(question.pk, 0)
    rows = combos.get(question.pk, [])
    counter = _per_option(rows)
    options = [str(o) for o in _OPTIONS.get(question.kind, question.options)]
    if question.kind == Question.Kind.TEXT:
        options = []
    mean = None
    if question.kind == Question.Kind.SCALE and total:
        mean = _one_decimal(sum(int(v) * n for v, n in rows) / total)
    return {
        "answered": total,
        "counts": {o: counter[o] for o in options},
        "shares": {o: _one_decimal(100 * counter[o] / total) if total else None for o in options},
        "mean": mean,
        "options": options,
    }


def _difference(after, before):
    return None if after is None or before is None else _one_decimal(after - before)


def _compare_question(number: int, question: Question, baseline: Question | None, combos, answered):
    """One question of a follow-up against the baseline's question it was copied from.

    A question without a baseline (added to the follow-up by hand, or whose kind differs)
    shows its own figures only. When the options differ (the follow-up was edited), the
    options of both are listed, baseline's first; an option one side did not offer shows no
    figure there (not a 0) and no change, and `options_changed` says so."""
    if baseline is not None and baseline.kind != question.kind:
        baseline = None
    after = _side(question, combos, answered)
    before = _side(baseline, combos, answered)
    options = list(before["options"]) + [o for o in after["options"] if o not in before["options"]]
    labels = {"ja": _("Yes"), "nee": _("No")}
    rows = []
    for option in options:
        b_asked, f_asked = option in before["counts"], option in after["counts"]
        b_share = before["shares"].get(option)
        f_share = after["shares"].get(option)
        rows.append(
            {
                "label": labels.get(option, option),
                "baseline_count": before["counts"][option] if b_asked else None,
                "baseline_share": b_share,
                "follow_up_count": after["counts"][option] if f_asked else None,
                "follow_up_share": f_share,
                "change": _difference(f_share, b_share),
            }
        )
    return {
        "number": number,
        "text": question.text,
        "kind": question.kind,
        "kind_label": str(Question.Kind(question.kind).label),
        "compared": baseline is not None,
        "options_changed": baseline is not None and before["options"] != after["options"],
        "baseline_answered": before["answered"],
        "follow_up_answered": after["answered"],
        "answered_change": None
        if before["answered"] is None
        else after["answered"] - before["answered"],
        "options": rows,
        "baseline_mean": before["mean"],
        "follow_up_mean": after["mean"],
        "mean_change": _difference(after["mean"], before["mean"]),
    }


def _copied_from(question: Question, by_pk: dict, baseline: Survey) -> Question | None:
    """The baseline's question `question` copies (None for one added by hand)."""
    found = by_pk.get(question.baseline_question_id)
    return found if found is not None and found.survey_id == baseline.pk else None


def _comparisons(follow_ups: list[Survey]) -> list[dict]:
    """The comparison of each of `follow_ups` (their baselines loaded) with its baseline, in
    three queries whatever the number of surveys, questions and responses."""
    if not follow_ups:
        return []
    ids = {s.pk for s in follow_ups} | {s.baseline_id for s in follow_ups}
    questions = list(Question.objects.filter(survey_id__in=ids).order_by("position", "pk"))
    combos, answered = _answer_counts(questions)
    responses = dict(
        SurveyResponse.objects.filter(survey_id__in=ids)
        .values("survey_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("survey_id", "n")
    )
    by_pk = {q.pk: q for q in questions}
    by_survey = defaultdict(list)
    for q in questions:
        by_survey[q.survey_id].append(q)
    found = []
    for survey in follow_ups:
        baseline = survey.baseline
        mine = by_survey[survey.pk]
        linked = {q.baseline_question_id for q in mine}
        base_n, after_n = responses.get(baseline.pk, 0), responses.get(survey.pk, 0)
        found.append(
            {
                "survey_id": survey.pk,
                "title": survey.title,
                "status": survey.status,
                "created_at": survey.created_at,
                "baseline_id": baseline.pk,
                "baseline_title": baseline.title,
                "baseline_created_at": baseline.created_at,
                "baseline_responses": base_n,
                "follow_up_responses": after_n,
                "responses_change": after_n - base_n,
                "questions": [
                    _compare_question(number, q, _copied_from(q, by_pk, baseline), combos, answered)
                    for number, q in enumerate(mine, start=1)
                ],
                "not_asked_again": [q.text for q in by_survey[baseline.pk] if q.pk not in linked],
            }
        )
    return found


def survey_comparison(*, survey: Survey) -> dict | None:
    """`survey` (a follow-up) compared question by question with its baseline, as plain
    values (see `survey_comparisons_for`); None when it is no follow-up."""
    if survey.baseline_id is None:
        return None
    return _comparisons([survey])[0]


def survey_comparisons_for(*, programme: Programme) -> list[dict]:
    """Every published follow-up of `programme` compared with its baseline, newest first:
    the impact the reporting app shows in the dashboard and the periodic report.

    Plain values per comparison: the two surveys (ids, titles, dates, responses and their
    change) and per question of the follow-up, in order: `text`, `kind`, `compared` (it has
    a baseline question), `options_changed`, how many answered on each side and the change,
    per option (`label`, counts, shares in percent of those who answered, `change` in
    percentage points; None where a side did not offer the option or nobody answered), the
    scale's means and their change; open questions are counted only. `not_asked_again`
    lists the baseline's questions the follow-up dropped. Counted in SQL, four queries
    whatever the number of surveys and responses. Render one with
    `recruitment/includes/survey_comparison.html` (`comparison=`)."""
    follow_ups = list(
        Survey.objects.filter(programme=programme, baseline__isnull=False)
        .exclude(status=Survey.Status.DRAFT)
        .select_related("baseline")
        .order_by("-created_at", "-pk")
    )
    return _comparisons(follow_ups)


def survey_prospects(*, survey: Survey) -> QuerySet[SurveyResponse]:
    """Respondents who would join and left contact details with consent, oldest first, along
    their own index (`would_join` is set as a response comes in: looking up every contactable
    response's answer to the joining question cost 1 ms at 5,000 responses)."""
    return survey.responses.filter(would_join=True, contact_consent_at__isnull=False).order_by(
        "created_at", "pk"
    )


# What a row of the prospects shows (name or address, street, whether in recruitment) and
# what the read log writes (organisation, e-mail address).
PROSPECT_COLUMNS = (
    "pk",
    "organisation_id",
    "street",
    "contact_name",
    "contact_email",
    "application_id",
)


def survey_prospect_rows():
    """`survey_prospects` of the survey `id_mark(0)` as `PROSPECT_COLUMNS`, for a compiled
    statement (programmes.statements) that the page runs with the survey's id."""
    survey = Survey(pk=id_mark(0))
    return survey_prospects(survey=survey).values_list(*PROSPECT_COLUMNS)


def survey_rows(*, survey: Survey):
    """Every response to `survey`, oldest first, as `(created_at, channel, street, answers by
    question id)`, read in chunks: a large survey streams to a CSV without being held in
    memory. The queries are built here, inside the request's tenant scope, and read while
    the response streams (two queries, whatever the number of responses)."""
    responses = (
        survey.responses.order_by("pk")
        .values_list("pk", "created_at", "channel", "street")
        .iterator(chunk_size=2000)
    )
    answers = (
        Answer.objects.filter(response__survey=survey)
        .order_by("response_id", "pk")
        .values_list("response_id", "question_id", "value")
        .iterator(chunk_size=2000)
    )

    labels = {value: str(label) for value, label in SurveyResponse.Channel.choices}

    def rows():
        pending = next(answers, None)
        for pk, created_at, channel, street in responses:
            values = {}
            while pending is not None and pending[0] <= pk:
                if pending[0] == pk:
                    values[pending[1]] = pending[2]
                pending = next(answers, None)
            yield created_at, labels.get(channel, channel), street, values

    return rows()


def _survey_report():
    return Document.objects.filter(
        programme_id=id_mark(0), kind=SURVEY_REPORT, ref=text_mark(0)
    ).order_by("-created_at", "-pk")[:1]


def survey_report(*, survey: Survey) -> Document | None:
    """The PDF report of `survey`, once asked for (the newest)."""
    found = _instances(
        "survey_report",
        Document,
        _survey_report,
        {id_mark(0): survey.programme_id, text_mark(0): str(survey.pk)},
        programme=survey.programme,
    )
    return found[0] if found else None

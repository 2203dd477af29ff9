"""Reads of the guidance over the years: the evaluation schedule worked out on the fly,
evaluations, the action plan, whether a programme was closed, and the PDFs of an evaluation
and of the final report.

The schedule is computed, not stored: its dates follow from the programme's schedule (or the
defaults) and the start of the daily work (the kickoff), so changing either moves every date
that was not planned yet. Fetching by a URL id goes through `get_<thing>_for`, which answers
404 for "missing" and for "another programme's" alike.
"""

import calendar
import datetime

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from .. import statements
from ..closure import is_closed
from ..models import (
    Action,
    Evaluation,
    EvaluationSchedule,
    EvaluationStatus,
    Programme,
    ProgrammeClosure,
    Progress,
    ProgressEvent,
    TeamMember,
    User,
)
from ..pdf import media_file_url
from ..statements import id_mark

# A schedule never reaches further than this (a programme runs for years, not centuries).
SCHEDULE_MAX_DATES = 60


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved `months` calendar months on; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule_of(*, programme: Programme) -> EvaluationSchedule:
    """The programme's evaluation schedule; an unsaved one with the defaults when it has none."""
    found = EvaluationSchedule.objects.filter(programme=programme).first()
    return found or EvaluationSchedule(organisation=programme.organisation, programme=programme)


def schedule_start(*, programme: Programme, schedule: EvaluationSchedule | None = None):
    """The date the schedule counts from: the schedule's own date, else the kickoff (the start
    of the daily work); None while neither is known."""
    schedule = schedule or schedule_of(programme=programme)
    if schedule.starts_on:
        return schedule.starts_on
    kickoff = (
        ProgressEvent.objects.filter(programme=programme, event=Progress.KICKOFF_HELD)
        .values_list("reached_at", flat=True)
        .first()
    )
    return timezone.localdate(kickoff) if kickoff else None


def schedule_dates(
    *, programme: Programme, until: datetime.date, schedule: EvaluationSchedule | None = None
) -> list[datetime.date]:
    """The dates the schedule asks for an evaluation, up to `until`: the first
    `first_after_months` after the start, then every `every_months`."""
    schedule = schedule or schedule_of(programme=programme)
    start = schedule_start(programme=programme, schedule=schedule)
    if start is None:
        return []
    dates = []
    months = schedule.first_after_months
    while len(dates) < SCHEDULE_MAX_DATES:
        due = add_months(start, months)
        if due > until:
            break
        dates.append(due)
        months += schedule.every_months
    return dates


def next_due(*, programme: Programme, today: datetime.date | None = None):
    """The first date of the schedule from `today` on (or None while the schedule has not
    started): what the evaluations page announces."""
    today = today or timezone.localdate()
    schedule = schedule_of(programme=programme)
    start = schedule_start(programme=programme, schedule=schedule)
    if start is None:
        return None
    months = schedule.first_after_months
    for _step in range(SCHEDULE_MAX_DATES):
        due = add_months(start, months)
        if due >= today:
            return due
        months += schedule.every_months
    return None


def programme_is_closed(*, programme: Programme, fresh: bool = False) -> bool:
    """Whether the programme was closed (`fresh`: asked of the database again)."""
    if fresh:
        programme._closed = None
    return is_closed(programme)


def closure_of(*, programme: Programme) -> ProgrammeClosure | None:
    """How the programme was closed (when, by whom, its final report), or None."""
    return (
        ProgrammeClosure.objects.filter(programme=programme)
        .select_related("closed_by", "final_report")
        .first()
    )


def closed_programme_ids(*, programme_ids) -> set[int]:
    """Which of these programmes were closed: one query for a list that marks them."""
    ids = list(programme_ids)
    if not ids:
        return set()
    # Compiled once per number of ids and tenant scope (`programmes.statements`).
    marks = [id_mark(i) for i in range(len(ids))]
    return {
        programme_id
        for (programme_id,) in statements.rows(
            ("closed_programme_ids", len(ids)),
            lambda: ProgrammeClosure.objects.filter(programme_id__in=marks).values_list(
                "programme_id"
            ),
            dict(zip(marks, ids, strict=True)),
            ProgrammeClosure.objects.db,
            scoped=True,
        )
    }


def evaluations_of(*, programme: Programme) -> QuerySet[Evaluation]:
    """Every evaluation of the programme, newest date first (for a paginated list)."""
    return Evaluation.objects.filter(programme=programme).order_by("-planned_on", "-id")


def client_evaluations_of(*, programme: Programme) -> QuerySet[Evaluation]:
    """The evaluations the client sees: its own (with the client) from planned on, the team's
    once shared."""
    return evaluations_of(programme=programme).filter(
        Q(kind=Evaluation.Kind.CLIENT) | Q(status=EvaluationStatus.SHARED)
    )


def get_evaluation_for(*, programme: Programme, pk: int, client: bool = False) -> Evaluation:
    """The evaluation with this id in `programme` (with `client`, only one the client sees);
    404 otherwise."""
    qs = (
        client_evaluations_of(programme=programme)
        if client
        else evaluations_of(programme=programme)
    )
    found = qs.select_related("client_input_by", "document").filter(pk=pk).first()
    if found is None:
        raise Http404
    found.programme = programme
    return found


def evaluation_counts(*, programme: Programme) -> dict:
    """How many evaluations are planned (or open) and held (or shared)."""
    return Evaluation.objects.filter(programme=programme).aggregate(
        waiting=Count("pk", filter=Q(status__in=[EvaluationStatus.PLANNED, EvaluationStatus.OPEN])),
        held=Count("pk", filter=Q(status__in=[EvaluationStatus.HELD, EvaluationStatus.SHARED])),
    )


def actions_of(*, programme: Programme, status: str = "") -> QuerySet[Action]:
    """The action plan: every action by date (those without one last), with its partner;
    `status` keeps one status."""
    qs = (
        Action.objects.filter(programme=programme)
        .select_related("partner")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )
    if status in Action.Status.values:
        qs = qs.filter(status=status)
    return qs


def action_counts(*, programme: Programme) -> dict[str, int]:
    """How many actions are in each status ({status: count}, every status present)."""
    counts = dict(
        Action.objects.filter(programme=programme)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in Action.Status.values}


def get_action_for(*, programme: Programme, pk: int) -> Action:
    """The action with this id in `programme`; 404 otherwise."""
    found = Action.objects.filter(programme=programme, pk=pk).select_related("partner").first()
    if found is None:
        raise Http404
    found.programme = programme
    return found


def members_to_thank(*, programme: Programme) -> list[User]:
    """The people on the team when it closes (with an address), to thank them."""
    return [
        member.user
        for member in TeamMember.objects.filter(programme=programme, is_active=True)
        .select_related("user")
        .order_by("user__name", "pk")
        if member.user.email and member.user.is_active
    ]


# --- Documents ---------------------------------------------------------------------------


def evaluation_document_ref(evaluation: Evaluation) -> str:
    """The `ref` of an evaluation's PDF: its id, kind and date, so the document names itself
    without a query ("Evaluatie met het team, 7 december 2026")."""
    return f"{evaluation.pk}:{evaluation.kind}:{evaluation.planned_on.isoformat()}"


def evaluation_document_label(document) -> str:
    """The name of an evaluation's PDF for people, from its `ref`; "" when it is not one."""
    try:
        _pk, kind, day = document.ref.split(":")
        label = Evaluation.Kind(kind).label
        when = date_format(datetime.date.fromisoformat(day), "j F Y")
    except ValueError:
        return ""
    return gettext("Evaluation %(kind)s, %(date)s") % {"kind": str(label).lower(), "date": when}


def _branding(programme: Programme) -> dict:
    client = programme.organisation
    return {
        "programme": programme,
        "client": client,
        "consultancy": client.consultancy,
        "logo_url": media_file_url(client.logo),
        "brand": client.brand_colour,
        "made_at": timezone.now(),
    }


def evaluation_pdf(document) -> tuple[str, dict, str]:
    """An evaluation as a PDF in the client's branding: the form and the client's input."""
    pk = document.ref.split(":")[0]
    evaluation = Evaluation.objects.get(programme=document.programme, pk=int(pk))
    context = {
        **_branding(document.programme),
        "evaluation": evaluation,
        "actions": list(evaluation.actions.select_related("partner")),
    }
    language = getattr(document.requested_by, "language", None) or "nl"
    return "pdf/evaluation.html", context, language


def final_report_pdf(document) -> tuple[str, dict, str]:
    """The final report of a closed programme: its period, goals, the evaluations held, the
    action plan and the team that did the work."""
    programme = document.programme
    held = [EvaluationStatus.HELD, EvaluationStatus.SHARED]
    context = {
        **_branding(programme),
        "closure": closure_of(programme=programme),
        "goals": list(programme.goals.all()),
        "partners": list(programme.partners.all()),
        "evaluations": list(
            Evaluation.objects.filter(programme=programme, status__in=held).order_by("planned_on")
        ),
        "actions": list(actions_of(programme=programme)),
        "action_counts": action_counts(programme=programme),
        "team_size": TeamMember.objects.filter(programme=programme).count(),
        "leaders": list(programme.project_leaders.all()),
    }
    language = getattr(document.requested_by, "language", None) or "nl"
    return "pdf/final_report.html", context, language

"""Reads of the exports: the rows of signals, rounds, conversations and effort of a period, for
the acting user, as plain value tuples streamed in chunks from an index.

Each read is narrowed the portal's way: the client of the URL (the active scope guarantees the
tenant) and the programmes `user` may read (`readable_programmes`: a project leader those
they lead). The names the rows refer to (programmes, categories) are few and are read once
into small lookups; the row query itself stays on the signals' own indexes, without joins, so
it streams at the speed of the index at any size.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone

from patrols.models import Conversation, Round, Signal, SignalCategory
from patrols.selectors.effort import Effort, effort_by_member_month, effort_rules
from patrols.selectors.workspace import count_per_round
from patrols.workflow import OPEN_STATUSES
from programmes.models import Organisation, Programme, TeamMember
from programmes.selectors import readable_programmes

# Rows fetched from the database per round trip while streaming: large enough that the
# round trips cost little, small enough that memory stays flat.
CHUNK_SIZE = 2000


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of `day` in Europe/Amsterdam, aware: a period is the half-open range
    [start of its first day, start of the day after its last) on the stored moment."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class ExportScope:
    """What an export covers: the client, the programmes the user reads among those asked
    for (one, or all of them), and the period's first and last day."""

    organisation: Organisation
    programmes: dict[int, Programme]
    start: dt.date
    end: dt.date
    programme: Programme | None = None  # the one asked for; None: all the user reads

    @property
    def since(self) -> dt.datetime:
        return day_start(self.start)

    @property
    def until(self) -> dt.datetime:
        return day_start(self.end + dt.timedelta(days=1))


def export_scope(*, user, organisation, programme_pk: int | None, start, end) -> ExportScope:
    """The programmes an export of `organisation` covers for `user`: the one of `programme_pk`
    (404 when it is missing, another client's or not one `user` reads) or all they read."""
    qs = readable_programmes(user=user, organisation=organisation).select_related(None)
    if programme_pk is not None:
        qs = qs.filter(pk=programme_pk)
    programmes = {p.pk: p for p in qs.only("pk", "name", "neighbourhood").order_by("pk")}
    if programme_pk is not None and not programmes:
        raise Http404
    return ExportScope(
        organisation=organisation,
        programmes=programmes,
        start=start,
        end=end,
        programme=programmes[programme_pk] if programme_pk is not None else None,
    )


def export_categories(*, scope: ExportScope) -> QuerySet[SignalCategory]:
    """The signal categories of the export's programmes (a few dozen per programme)."""
    return SignalCategory.objects.filter(
        organisation=scope.organisation, programme_id__in=list(scope.programmes)
    )


def is_main_category(*, scope: ExportScope, pk: int) -> bool:
    """Whether `pk` is a main category of the export's programmes (the signals' filter names
    one; its sub-categories come along)."""
    return export_categories(scope=scope).filter(pk=pk, parent__isnull=True).exists()


def category_names(*, scope: ExportScope) -> dict[int, tuple[str, str]]:
    """{category id: (main category, sub-category or "")} of the export's programmes."""
    rows = export_categories(scope=scope).values_list("pk", "name", "parent__name")
    return {pk: (parent, name) if parent else (name, "") for pk, name, parent in rows}


# The columns of a signal row, in the order `signal_rows` gives them.
SIGNAL_FIELDS = (
    "pk",
    "programme_id",
    "reported_at",
    "category_id",
    "status",
    "street",
    "house_number",
    "urgent",
    "due_date",
    "closed_at",
)


def signal_rows(*, scope: ExportScope, status: str = "", category: int | None = None):
    """The signals of the scope reported in its period, oldest first, as `SIGNAL_FIELDS`
    tuples. `status` is a status, "open" or "" (all); `category` a main category's id (its
    sub-categories included) or None. The index "signal_org_newest" (or, with a status,
    "signal_org_status_newest") answers it, read backwards."""
    qs = Signal.objects.filter(
        organisation=scope.organisation,
        reported_at__gte=scope.since,
        reported_at__lt=scope.until,
    )
    qs = _of_programmes(qs, scope)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if category is not None:
        ids = list(
            export_categories(scope=scope)
            .filter(Q(pk=category) | Q(parent_id=category))
            .values_list("pk", flat=True)
        )
        qs = qs.filter(category_id__in=ids)
    return qs.order_by("reported_at", "pk").values_list(*SIGNAL_FIELDS)


def _of_programmes(qs: QuerySet, scope: ExportScope) -> QuerySet:
    """`qs` narrowed to the scope's programmes (no filter at all when the scope holds every
    programme of the client, so the plain per-client index answers)."""
    if not scope.programmes:
        return qs.none()
    every = Programme.objects.filter(organisation=scope.organisation).count()
    if every == len(scope.programmes):
        return qs
    return qs.filter(programme_id__in=list(scope.programmes))


# The columns of a round row, in the order `round_rows` gives them.
ROUND_FIELDS = ("pk", "programme_id", "started_at", "ended_at", "walker_count", "slot__area")


def round_rows(*, scope: ExportScope):
    """The rounds of the scope started in its period, oldest first, as `ROUND_FIELDS`
    tuples; the number of walkers is counted per round by the database."""
    return (
        _rounds_of(scope)
        .annotate(walker_count=count_per_round(Round.walkers.through.objects.all()))
        .order_by("started_at", "pk")
        .values_list(*ROUND_FIELDS)
    )


def _rounds_of(scope: ExportScope) -> QuerySet:
    """The rounds of the scope started in its period (no order, no columns)."""
    qs = Round.objects.filter(
        organisation=scope.organisation,
        started_at__gte=scope.since,
        started_at__lt=scope.until,
    )
    return _of_programmes(qs, scope)


# The columns of a conversation row: what was talked about and how it went, never the note
# nor who reported it.
CONVERSATION_FIELDS = ("pk", "programme_id", "reported_at", "topic", "outcome", "aggression")


def conversation_rows(*, scope: ExportScope):
    """The conversations of the scope recorded in its period, oldest first, as
    `CONVERSATION_FIELDS` tuples."""
    qs = Conversation.objects.filter(
        organisation=scope.organisation,
        reported_at__gte=scope.since,
        reported_at__lt=scope.until,
    )
    return _of_programmes(qs, scope).order_by("reported_at", "pk").values_list(*CONVERSATION_FIELDS)


# An effort export covers at most this many months (each month is two columns of its query).
EFFORT_MAX_MONTHS = 36


def period_months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the calendar months the period touches, in order."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(dt.date(year, month, 1))
        year, month = year + month // 12, month % 12 + 1
    return months


@dataclass
class EffortRow:
    """One member's effort in one month of one programme."""

    month: dt.date
    programme_id: int
    name: str
    rounds: int
    minutes: float
    team_meetings: int
    met: bool | None  # None: the programme has no effort obligation


def effort_rows(*, scope: ExportScope) -> list[EffortRow]:
    """Each member's rounds, hours on rounds and team meetings per calendar month the period
    touches (whole months: the obligation is per month), and whether that met the programme's
    obligation; by month, programme and name. The one measure of effort
    (`patrols.selectors.effort`, which the dashboard and the effort page read too: a round in
    the month it started, its minutes split at the month boundary, activity hours and team
    meetings counted as the rule says), so the export and the dashboard never disagree.

    A member on the roster is listed every month; one who left only in months with effort.
    """
    ids = list(scope.programmes)
    months = period_months(scope.start, scope.end)
    members = list(
        TeamMember.objects.filter(organisation=scope.organisation, programme_id__in=ids)
        .order_by("user__name", "pk")
        .values_list("programme_id", "user_id", "user__name", "is_active")
    )
    if not members or not months:
        return []
    last = months[-1]
    after = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1)  # the month after
    rules = effort_rules(ids)
    found = effort_by_member_month(programmes=ids, first=months[0], after=after, rules=rules)
    neighbourhood = {pk: p.neighbourhood for pk, p in scope.programmes.items()}
    rows = []
    for month in months:
        for programme_id, user_id, name, active in members:
            effort = found.get((programme_id, user_id, month))
            if effort is None:
                if not active:
                    continue
                effort = Effort()
            rule = rules.get(programme_id)
            rows.append(
                EffortRow(
                    month,
                    programme_id,
                    name,
                    effort.rounds,
                    effort.minutes,
                    effort.team_meetings,
                    effort.met if rule is not None else None,
                )
            )
    rows.sort(key=lambda r: (r.month, neighbourhood.get(r.programme_id, ""), r.programme_id))
    return rows


def export_row_count(*, scope: ExportScope, dataset: str, options: dict, cap: int | None) -> int:
    """How many rows the export of `dataset` would have, counted up to `cap` (the database
    stops there; None: all of them): the same filters on the same index as the rows' own
    query, so deciding whether an export is streamed or made in the background costs a
    fraction of the export.
    An effort export is a few rows per member and month (at most EFFORT_MAX_MONTHS months),
    made by two grouped queries: 0, always streamed."""
    if dataset == "signals":
        qs = signal_rows(scope=scope, **options)
    elif dataset == "rounds":
        qs = _rounds_of(scope).values_list("pk")
    elif dataset == "conversations":
        qs = conversation_rows(scope=scope)
    else:
        return 0
    qs = qs.order_by()
    return (qs if cap is None else qs[:cap]).count()


def get_export_job_for(*, user, organisation: Organisation, pk: int):
    """The background export `pk` of `organisation` that `user` asked for; anyone else's (a
    colleague of the same client, another client's) is a 404: the file holds what its
    requester may read, and it leaves the product through them only."""
    from ..models.exports import ExportJob  # noqa: PLC0415 - the rows' selectors load before the models of reporting

    job = ExportJob.objects.filter(organisation=organisation, requested_by=user, pk=pk).first()
    if job is None:
        raise Http404
    return job

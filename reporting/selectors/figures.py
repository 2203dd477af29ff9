"""The dashboard's figures for a set of programmes of one client and a period, in SQL.

Stable API (the periodic report calls it for its PDF; keep the signature):

    period_figures(*, programmes, start, end, bucket="month", today=None) -> Figures

- `programmes`: Programme objects or ids, all of ONE client, already narrowed to what the
  acting user may read (`programmes_for_dashboard`, or `readable_programmes`); the caller
  runs inside that client's scope.
- `start`, `end`: dates in Europe/Amsterdam, the half-open period [start, end): a calendar
  month is `start=1 Jan, end=1 Feb`. `period_bounds` turns the dashboard's choices into them.
- `bucket`: "week" (ISO weeks, from Monday) or "month"; the first and last bucket are cut
  to the period.
- `today`: the Amsterdam date "now" figures (open, overdue) are measured at; today by default.

Definitions (each tested against hand-computed data in tests/reporting/test_figures*.py):

- A day is an Amsterdam calendar day: a signal reported at 23:30 UTC on 31 January is
  reported on 1 February.
- Rounds walked: rounds that ended, counted in the bucket they started in. Walker hours:
  each walker's time on those rounds (a round of 2 h with 3 walkers is 6 walker hours);
  round hours: the rounds' own duration (2 h).
- Active members: distinct members who walked at least one such round in the period (and
  per bucket, in the bucket).
- Signals per bucket by category (the main category: a sub-category counts for its parent)
  and by status: signals reported in the bucket, by their status now.
- Handling: signals whose LAST close (resolved or not applicable) fell in the period, per
  main category. A signal closed, reopened and closed again counts once, on the day of its
  last close; one reopened and still open does not count. Days taken: whole Amsterdam
  calendar days from the day reported to the day closed; on time: closed on or before its
  due date (the category's handling time in working days, set when it was reported). The
  median is over those days taken (the mean of the two middle ones for an even count).
- Open and overdue now: signals of the programmes not closed (as of `as_of`), and of those
  the ones past their due date today; not bound to the period.
- Hot spots: signals with a position reported in the calendar months the period touches
  (exactly the period for the named periods, which start on the first of a month and end
  today; `Figures.hotspot_months` says which), counted per grid cell of about 220 by 230
  metres (`reporting.models.summary.CELL_LAT/CELL_LNG`); the cell's centre.
- Conversations and incidents of aggression: conversations reported in the bucket, and of
  them those marked as aggression.
- Effort: per calendar month that starts within the period, the members on the team then
  (held to the obligation: joined before the month ended, not paused nor gone at any moment
  of the month by the membership's history) and how many met the programme's
  effort obligation, by the one measure the effort page uses too
  (`patrols.selectors.effort`: rounds started in the month, minutes split at the month
  boundary, activity hours and attended team meetings as the rule says). A programme without
  an obligation counts its members, none of them meeting it.

Speed: the signal figures read the summary tables (`reporting.models.summary`, a few
thousand rows a year), kept up to date every few minutes by `reporting.tasks.summary`;
`Figures.as_of` says until when. Rounds, conversations and effort read their own tables
through indexes (a year of rounds is thousands of rows, not millions). The number of queries
does not depend on the number of rows.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from patrols.models import Conversation, Round, SignalCategory
from patrols.selectors.effort import (
    effort_by_member_month,
    effort_population,
    effort_rules,
    team_meetings_by_month,
    walked_by_month,
)
from patrols.workflow import Status
from programmes.models import Programme
from programmes.selectors import members_excused_by_period

from ..models.summary import (
    CELL_LAT,
    CELL_LNG,
    SignalCellSummary,
    SignalClosedSummary,
    SignalDaySummary,
    SignalOpenSummary,
    SummaryState,
)

WEEK = "week"
MONTH = "month"
BUCKETS = (WEEK, MONTH)
# The longest period the dashboard answers for (a bucket per week over it stays readable).
MAX_DAYS = 3 * 366
# How many hot spots the map shows at most (the busiest cells).
MAX_HOTSPOTS = 200


@dataclass(frozen=True)
class Bucket:
    """One bar of a chart: the half-open Amsterdam dates [start, end) and its short label."""

    start: dt.date
    end: dt.date
    label: str


@dataclass
class Series:
    """One named row of numbers per bucket (a category, a status), with its total."""

    key: str
    label: str
    values: list[int]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass
class Handling:
    """Handling time of one main category (or of all: `category_id` None) in the period."""

    category_id: int | None
    label: str
    target_days: int | None
    closed: int = 0
    on_time: int = 0
    median_days: float | None = None

    @property
    def on_time_share(self) -> float | None:
        """The share closed on time, 0..1; None when nothing closed."""
        return self.on_time / self.closed if self.closed else None


@dataclass(frozen=True)
class HotSpot:
    """A grid cell with signals: its centre and how many signals were reported in it."""

    latitude: float
    longitude: float
    signals: int


@dataclass(frozen=True)
class EffortMonth:
    """Members on the team in a month and how many met the effort obligation."""

    month: dt.date
    label: str
    members: int
    met: int

    @property
    def share(self) -> float | None:
        return self.met / self.members if self.members else None


@dataclass
class Figures:
    """Every figure of the dashboard (and of the periodic report) for one period: plain values
    only (ints, floats, dates, strings, lists of the small dataclasses above)."""

    programme_ids: list[int]
    start: dt.date
    end: dt.date
    bucket: str
    buckets: list[Bucket]
    rounds: list[int] = field(default_factory=list)
    walker_hours: list[float] = field(default_factory=list)
    round_hours: list[float] = field(default_factory=list)
    active_members_per_bucket: list[int] = field(default_factory=list)
    active_members: int = 0
    signals: list[int] = field(default_factory=list)
    signals_by_category: list[Series] = field(default_factory=list)
    signals_by_status: list[Series] = field(default_factory=list)
    handling: list[Handling] = field(default_factory=list)
    handling_total: Handling | None = None
    open_now: int = 0
    overdue_now: int = 0
    hotspots: list[HotSpot] = field(default_factory=list)
    conversations: list[int] = field(default_factory=list)
    aggression: list[int] = field(default_factory=list)
    effort: list[EffortMonth] = field(default_factory=list)
    # The map's hot spots cover whole calendar months: [first, end of last) of those.
    hotspot_months: tuple[dt.date, dt.date] | None = None
    # Until when the summaries hold every change (None: never refreshed).
    as_of: dt.datetime | None = None

    @property
    def totals(self) -> dict[str, float]:
        """The period's totals, for the figure cards and the report's first page."""
        return {
            "rounds": sum(self.rounds),
            "walker_hours": round(sum(self.walker_hours), 1),
            "round_hours": round(sum(self.round_hours), 1),
            "active_members": self.active_members,
            "signals": sum(self.signals),
            "conversations": sum(self.conversations),
            "aggression": sum(self.aggression),
            "open_now": self.open_now,
            "overdue_now": self.overdue_now,
        }


# Periods -------------------------------------------------------------------------------------


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


PERIODS = ("this_month", "last_month", "this_quarter", "last_12_months", "custom")


def period_bounds(period: str, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end) of one of the dashboard's named periods (not "custom"), in Amsterdam
    dates: this month and this quarter run to tomorrow (today included)."""
    first = _month_start(today)
    if period == "last_month":
        return _add_months(first, -1), first
    if period == "this_quarter":
        return _add_months(first, -((today.month - 1) % 3)), today + dt.timedelta(days=1)
    if period == "last_12_months":
        return _add_months(first, -11), today + dt.timedelta(days=1)
    return first, today + dt.timedelta(days=1)


def buckets_of(start: dt.date, end: dt.date, bucket: str) -> list[Bucket]:
    """The buckets of [start, end): ISO weeks or calendar months, the outer ones cut."""
    out = []
    if bucket == WEEK:
        cursor = start - dt.timedelta(days=start.weekday())
        step = lambda d: d + dt.timedelta(days=7)  # noqa: E731
        label = lambda d: _("wk %(week)s") % {"week": d.isocalendar().week}  # noqa: E731
    else:
        cursor = _month_start(start)
        step = lambda d: _add_months(d, 1)  # noqa: E731
        label = lambda d: _month_label(d)  # noqa: E731
    while cursor < end:
        following = step(cursor)
        out.append(Bucket(max(cursor, start), min(following, end), label(cursor)))
        cursor = following
    return out


def _month_label(day: dt.date) -> str:
    from django.utils.dates import MONTHS_3  # noqa: PLC0415 - small, only for labels

    # "nov '26": with a plain "nov 26" a Dutch reader sees the 26th of November.
    return f"{MONTHS_3[day.month]} \u2019{day:%y}"


def _trunc_day(day: dt.date, bucket: str) -> dt.date:
    """The (uncut) week or month start of a day, as the SQL truncation gives it."""
    if bucket == WEEK:
        return day - dt.timedelta(days=day.weekday())
    return _month_start(day)


def _bucket_index(buckets: list[Bucket], bucket: str):
    """A function from a truncated week or month start (a date, or a moment in Amsterdam
    time) to its bucket's position, None outside the period."""
    keys = {_trunc_day(b.start, bucket): i for i, b in enumerate(buckets)}
    seen: dict = {}  # each distinct value worked out once (a year per week: 53 of them)

    def index(value) -> int | None:
        if value in seen:
            return seen[value]
        key = value
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            key = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        seen[value] = out = keys.get(_trunc_day(key, bucket))
        return out

    return index


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class _PlainDateMixin:
    """A truncation to a date that PostgreSQL casts to `date` itself, so each row comes back
    as a plain date: Django's per-row conversion of the timestamp `DATE_TRUNC` gives (make it
    aware, take its date) cost more than the rest of the dashboard's Python on a year per
    week. Other databases keep Django's own truncation and conversion."""

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection)
        return f"({sql})::date", params

    def get_db_converters(self, connection):
        if connection.vendor == "postgresql":
            return self.output_field.get_db_converters(connection)
        return super().get_db_converters(connection)


class _TruncWeekDate(_PlainDateMixin, TruncWeek):
    pass


class _TruncMonthDate(_PlainDateMixin, TruncMonth):
    pass


class _Sum(Sum):
    """SUM of a whole-number column in a grouped read, as the database gives it (an int on
    PostgreSQL and SQLite): no per-row conversion (Django's `int(value)` for each of a few
    thousand rows)."""

    convert_value = staticmethod(Sum._convert_value_noop)


def _trunc(bucket: str, name: str, *, is_date: bool):
    """The bucket start of column `name` in SQL, as a date: a date column as it is, a moment
    in Amsterdam time."""
    tz = None if is_date else timezone.get_current_timezone()
    if bucket == WEEK:
        return _TruncWeekDate(name, output_field=DateField(), tzinfo=tz)
    return _TruncMonthDate(name, output_field=DateField(), tzinfo=tz)


# The figures ----------------------------------------------------------------------------------


def period_figures(*, programmes, start: dt.date, end: dt.date, bucket: str = MONTH, today=None):
    """Every figure of the dashboard for `programmes` (of one client) over [start, end) in
    Amsterdam dates, bucketed per `bucket` ("week" or "month"). See the module docstring
    for what each figure means. Raises ValueError for an empty or too long period or an
    unknown bucket (the view's form refuses those first)."""
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {BUCKETS}")
    if not start < end or (end - start).days > MAX_DAYS:
        raise ValueError("the period must be non-empty and at most MAX_DAYS long")
    ids = sorted({p.pk if isinstance(p, Programme) else int(p) for p in programmes})
    today = today or timezone.localdate()
    buckets = buckets_of(start, end, bucket)
    figures = Figures(programme_ids=ids, start=start, end=end, bucket=bucket, buckets=buckets)
    n = len(buckets)
    zeros = lambda: [0] * n  # noqa: E731
    figures.rounds, figures.conversations, figures.aggression = zeros(), zeros(), zeros()
    figures.walker_hours, figures.round_hours = [0.0] * n, [0.0] * n
    figures.active_members_per_bucket, figures.signals = zeros(), zeros()
    state = SummaryState.objects.filter(key="signals").first()
    figures.as_of = state.refreshed_until if state else None
    if not ids:
        figures.handling_total = Handling(None, _("All categories"), None)
        return figures
    index = _bucket_index(buckets, bucket)
    begin, finish = _local_midnight(start), _local_midnight(end)
    _rounds(figures, ids, begin, finish, bucket, index)
    mains = _main_categories(ids)
    _signals(figures, ids, start, end, bucket, index, mains)
    _handling(figures, ids, start, end, mains)
    _now(figures, ids, today)
    _hotspots(figures, ids, start, end)
    _conversations(figures, ids, begin, finish, bucket, index)
    _effort(figures, ids, start, end)
    return figures


def _rounds(figures, ids, begin, finish, bucket, index) -> None:
    """Rounds, round hours, walker hours and active members per bucket (two grouped queries
    and one count)."""
    duration = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    rounds = Round.objects.filter(
        programme_id__in=ids, started_at__gte=begin, started_at__lt=finish, ended_at__isnull=False
    )
    for row in (
        rounds.annotate(b=_trunc(bucket, "started_at", is_date=False))
        .values("b")
        .annotate(n=Count("pk"), d=Sum(duration))
        .order_by()
    ):
        i = index(row["b"])
        if i is not None:
            figures.rounds[i] += row["n"]
            figures.round_hours[i] += _hours(row["d"])
    walks = Round.walkers.through.objects.filter(
        round__programme_id__in=ids,
        round__started_at__gte=begin,
        round__started_at__lt=finish,
        round__ended_at__isnull=False,
    )
    walk_duration = ExpressionWrapper(
        F("round__ended_at") - F("round__started_at"), output_field=DurationField()
    )
    for row in (
        walks.annotate(b=_trunc(bucket, "round__started_at", is_date=False))
        .values("b")
        .annotate(d=Sum(walk_duration), m=Count("user_id", distinct=True))
        .order_by()
    ):
        i = index(row["b"])
        if i is not None:
            figures.walker_hours[i] += _hours(row["d"])
            figures.active_members_per_bucket[i] += row["m"]
    figures.active_members = walks.aggregate(n=Count("user_id", distinct=True))["n"]
    figures.walker_hours = [round(h, 1) for h in figures.walker_hours]
    figures.round_hours = [round(h, 1) for h in figures.round_hours]


def _hours(duration) -> float:
    if duration is None:
        return 0.0
    if isinstance(duration, dt.timedelta):
        return duration.total_seconds() / 3600
    return float(duration) / 3_600_000_000  # microseconds (SQLite)


def _main_categories(ids) -> dict[int, tuple[int, str, int]]:
    """Every category of the programmes -> (its main category's id, name, handling days)."""
    out = {}
    for pk, name, days, parent_id, parent_name, parent_days in SignalCategory.objects.filter(
        programme_id__in=ids
    ).values_list(
        "pk", "name", "handling_days", "parent_id", "parent__name", "parent__handling_days"
    ):
        out[pk] = (parent_id, parent_name, parent_days) if parent_id else (pk, name, days)
    return out


def _grained(model, ids, start, end, grain):
    """The summary rows covering [start, end): the `grain` rows ("w" or "m") of the whole
    weeks or months inside it and the day rows of the days at its edges (one query on the
    (programme, grain, day) index)."""
    if grain == WEEK:
        first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        after = end - dt.timedelta(days=end.weekday())
    else:
        first = start if start.day == 1 else _add_months(_month_start(start), 1)
        after = _month_start(end)
    if first >= after:
        return model.objects.filter(programme_id__in=ids, grain="d", day__gte=start, day__lt=end)
    return model.objects.filter(
        Q(grain=grain[0], day__gte=first, day__lt=after)
        | Q(grain="d", day__gte=start, day__lt=first)
        | Q(grain="d", day__gte=after, day__lt=end),
        programme_id__in=ids,
    )


def _signals(figures, ids, start, end, bucket, index, mains) -> None:
    """Signals per bucket, by main category and by status now (one grouped query over the
    day summaries)."""
    n = len(figures.buckets)
    other = (0, _("Other"), None)  # a category gone since (translated once, not per row)
    by_category: dict[int, Series] = {}
    by_status = {s: Series(s, str(Status(s).label), [0] * n) for s in Status.values}
    status_values = {s: series.values for s, series in by_status.items()}
    main_values: dict = {}  # the main category as SQL gives it -> its series' values
    positions: dict = {}  # bucket start -> its position (a few thousand rows, 53 buckets)
    signals = figures.signals
    for b, main, status, count in (
        _grained(SignalDaySummary, ids, start, end, "w" if bucket == WEEK else "m")
        .annotate(
            b=_trunc(bucket, "day", is_date=True),
            main=Coalesce("category__parent_id", "category_id"),
        )
        .values_list("b", "main", "status")
        .annotate(n=_Sum("signals"))
        .order_by()
    ):
        i = positions.get(b, -1)
        if i == -1:
            i = positions[b] = index(b)
        if i is None:
            continue
        values = main_values.get(main)
        if values is None:
            main_id, name, _days = mains.get(main) or other
            series = by_category.get(main_id)
            if series is None:
                series = by_category[main_id] = Series(str(main_id), name, [0] * n)
            values = main_values[main] = series.values
        values[i] += count
        per_status = status_values.get(status)
        if per_status is not None:
            per_status[i] += count
        signals[i] += count
    figures.signals_by_category = sorted(by_category.values(), key=lambda s: (-s.total, s.label))
    figures.signals_by_status = list(by_status.values())


def _median(counts: dict[int, int]) -> float | None:
    """The median of a distribution given as {value: how often}."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts.items())

    def nth(k):  # the k-th value (0-based) in sorted order
        seen = 0
        for value, n in ordered:
            seen += n
            if k < seen:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def _handling(figures, ids, start, end, mains) -> None:
    """Closed in the period by their last close, on time and median days, per main category
    (one grouped query over the closed summaries: counts per whole day taken)."""
    per: dict[int, dict] = {}
    overall: dict[int, int] = {}
    other = (0, _("Other"), None)
    for row in (
        _grained(SignalClosedSummary, ids, start, end, "m")
        .annotate(main=Coalesce("category__parent_id", "category_id"))
        .values_list("main", "days_taken")
        .annotate(n=_Sum("signals"), ok=_Sum("on_time"))
        .order_by()
    ):
        main, days_taken, n, ok = row
        main_id, name, days = mains.get(main) or other
        entry = per.get(main_id)
        if entry is None:
            entry = per[main_id] = {"h": Handling(main_id, name, days), "dist": {}}
        entry["h"].closed += n
        entry["h"].on_time += ok
        entry["dist"][days_taken] = entry["dist"].get(days_taken, 0) + n
        overall[days_taken] = overall.get(days_taken, 0) + n
    for entry in per.values():
        entry["h"].median_days = _median(entry["dist"])
    figures.handling = sorted((e["h"] for e in per.values()), key=lambda h: (-h.closed, h.label))
    total = Handling(None, _("All categories"), None)
    total.closed = sum(h.closed for h in figures.handling)
    total.on_time = sum(h.on_time for h in figures.handling)
    total.median_days = _median(overall)
    figures.handling_total = total


def _now(figures, ids, today) -> None:
    """Open and overdue now (as of the summaries): one sum over the open signals per due
    date."""
    counts = SignalOpenSummary.objects.filter(programme_id__in=ids).aggregate(
        open=Sum("signals"), overdue=Sum("signals", filter=Q(due_date__lt=today))
    )
    figures.open_now, figures.overdue_now = counts["open"] or 0, counts["overdue"] or 0


def _hotspots(figures, ids, start, end) -> None:
    """The busiest grid cells of the calendar months the period touches (one grouped query
    over the cell summaries, which count per month)."""
    rows = (
        SignalCellSummary.objects.filter(
            programme_id__in=ids, month__gte=_month_start(start), month__lt=end
        )
        .values("cell_lat", "cell_lng")
        .annotate(n=Sum("signals"))
        .order_by("-n", "cell_lat", "cell_lng")[:MAX_HOTSPOTS]
    )
    last = _add_months(_month_start(end - dt.timedelta(days=1)), 1)
    figures.hotspot_months = (_month_start(start), last)
    figures.hotspots = [
        HotSpot(
            round((r["cell_lat"] + 0.5) / CELL_LAT, 6),
            round((r["cell_lng"] + 0.5) / CELL_LNG, 6),
            r["n"],
        )
        for r in rows
    ]


def _conversations(figures, ids, begin, finish, bucket, index) -> None:
    """Conversations and incidents of aggression per bucket (one grouped query)."""
    for row in (
        Conversation.objects.filter(
            programme_id__in=ids, reported_at__gte=begin, reported_at__lt=finish
        )
        .annotate(b=_trunc(bucket, "reported_at", is_date=False))
        .values("b")
        .annotate(n=Count("pk"), a=Count("pk", filter=Q(aggression=True)))
        .order_by()
    ):
        i = index(row["b"])
        if i is not None:
            figures.conversations[i] += row["n"]
            figures.aggression[i] += row["a"]


def _effort(figures, ids, start, end) -> None:
    """Per calendar month starting in the period: members held to the obligation then and how
    many met it, by the one measure of effort (`patrols.selectors.effort`: rounds started in
    the month, minutes split at the month boundary, activity hours and attended team meetings
    as the programme's rule says), summed in SQL per month and member: a fixed number of
    queries for the whole period, however many months, rounds and members."""
    months = []
    cursor = _month_start(start)
    if cursor < start:
        cursor = _add_months(cursor, 1)
    while cursor < end:
        months.append(cursor)
        cursor = _add_months(cursor, 1)
    if not months:
        return
    rules = effort_rules(ids)
    after = _add_months(months[-1], 1)
    population = effort_population(ids, after)
    # A member paused (or gone) at some moment of a month is not held to it that month.
    excused = members_excused_by_period(
        programme_ids=ids,
        periods=[(_local_midnight(m), _local_midnight(_add_months(m, 1))) for m in months],
    )
    found = {}
    if rules and population:
        found = effort_by_member_month(programmes=ids, first=months[0], after=after, rules=rules)
    out = []
    for first, away in zip(months, excused, strict=True):
        m_end = _local_midnight(_add_months(first, 1))
        members = [(p, u) for p, u, joined in population if joined < m_end and (p, u) not in away]
        met = 0
        for programme_id, user_id in members:
            effort = found.get((programme_id, user_id, first))
            if effort is not None and effort.met:
                met += 1
        out.append(EffortMonth(first, _month_label(first), len(members), met))
    figures.effort = out


__all__ = [
    "BUCKETS",
    "MAX_DAYS",
    "MONTH",
    "PERIODS",
    "WEEK",
    "Bucket",
    "EffortMonth",
    "Figures",
    "Handling",
    "HotSpot",
    "Series",
    "buckets_of",
    "period_bounds",
    "period_figures",
    "team_meetings_by_month",
    "walked_by_month",
]

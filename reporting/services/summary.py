"""Keeps the dashboard's summary tables (`reporting.models.summary`) up to date.

Bookkeeping, not audited: the summaries are counts derived from rows whose own changes are
audited by their services, and can be rebuilt from them at any time.

- `summaries_refresh()` (beat, every few minutes): rewrites the (programme, day) cells that
  changed since the last run (and the open signals of the due dates concerned), found
  through two indexed columns: `Signal.created_at` (new
  signals, also those a phone sent days late) and `SignalEvent.created_at` (a status change,
  which moves a signal between statuses and, for a close or a reopen, between close days:
  the day of each earlier close of a touched signal is rewritten too).
- `summaries_rebuild()` (nightly, and `manage.py summaries_rebuild`): rewrites every cell,
  a programme-month at a time; it also catches what no event tells of (a signal deleted, a
  category changed by hand).

Both are safe to cut off: a cell is rewritten whole in one transaction, and the state row
moves `refreshed_until` on only after every cell of the run is written, so the next run
redoes the window. A run marks `running_since` (and a rebuild renews it after every chunk);
another run meanwhile skips, unless the mark is older than `STALE_RUN` (its run died).
"""

import datetime as dt

from django.db import transaction
from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    Sum,
)
from django.db.models.functions import Cast, Floor, TruncDate, TruncMonth, TruncWeek
from django.utils import timezone
from django_scopes import scopes_disabled

from patrols.models import Signal, SignalEvent
from patrols.workflow import CLOSED, OPEN_STATUSES

from ..models.summary import (
    CELL_LAT,
    CELL_LNG,
    DAY,
    MONTH,
    WEEK,
    SignalCellSummary,
    SignalClosedSummary,
    SignalDaySummary,
    SignalOpenSummary,
    SummaryState,
)

KEY = "signals"
# A change made in a transaction that committed later than its `created_at` still falls in the
# next run's window: each run looks this far back before the last one's end.
OVERLAP = dt.timedelta(minutes=2)
STALE_RUN = dt.timedelta(minutes=30)
CLOSED_LIST = sorted(CLOSED)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _local_day(name: str):
    return TruncDate(name, tzinfo=timezone.get_current_timezone())


def _days_between(later: dt.date | dt.timedelta | int, earlier=None) -> int:
    if isinstance(later, dt.timedelta):
        return later.days
    if isinstance(later, int | float):
        return int(later)
    return (later - earlier).days


@transaction.atomic
def summary_cells_rewrite(*, organisation_id: int, programme_id: int, start, end) -> None:
    """Rewrite the summaries of one programme for the Amsterdam days [start, end): delete the
    cells, insert the day's aggregates (three grouped queries over indexed ranges), then the
    sums of the weeks and months around them."""
    begin, finish = _local_midnight(start), _local_midnight(end)
    cells = {"programme_id": programme_id, "day__gte": start, "day__lt": end}
    for model in (SignalDaySummary, SignalClosedSummary):
        model.objects.filter(grain=DAY, **cells).delete()
    # The map's cells are per month: the whole months around the days are counted again.
    first_month = start.replace(day=1)
    after_month = ((end - dt.timedelta(days=1)).replace(day=1) + dt.timedelta(days=32)).replace(
        day=1
    )
    SignalCellSummary.objects.filter(
        programme_id=programme_id, month__gte=first_month, month__lt=after_month
    ).delete()
    own = Signal.objects.filter(organisation_id=organisation_id, programme_id=programme_id)
    reported = own.filter(reported_at__gte=begin, reported_at__lt=finish).annotate(
        day=_local_day("reported_at")
    )
    common = {"organisation_id": organisation_id, "programme_id": programme_id}
    SignalDaySummary.objects.bulk_create(
        SignalDaySummary(
            **common, day=r["day"], category_id=r["category_id"], status=r["status"], signals=r["n"]
        )
        for r in reported.values("day", "category_id", "status").annotate(n=Count("pk")).order_by()
    )
    in_months = own.filter(
        reported_at__gte=_local_midnight(first_month),
        reported_at__lt=_local_midnight(after_month),
        latitude__isnull=False,
        longitude__isnull=False,
    )
    SignalCellSummary.objects.bulk_create(
        SignalCellSummary(
            **common, month=r["month"], cell_lat=r["la"], cell_lng=r["lo"], signals=r["n"]
        )
        for r in in_months.annotate(
            month=TruncMonth(
                "reported_at", output_field=DateField(), tzinfo=timezone.get_current_timezone()
            )
        )
        .annotate(
            la=Cast(Floor(F("latitude") * CELL_LAT), IntegerField()),
            lo=Cast(Floor(F("longitude") * CELL_LNG), IntegerField()),
        )
        .values("month", "la", "lo")
        .annotate(n=Count("pk"))
        .order_by()
    )
    closed = (
        own.filter(status__in=CLOSED_LIST, closed_at__gte=begin, closed_at__lt=finish)
        .annotate(
            day=_local_day("closed_at"),
            reported_day=Cast(_local_day("reported_at"), DateField()),
        )
        .annotate(
            taken=ExpressionWrapper(F("day") - F("reported_day"), output_field=DurationField())
        )
        .values("day", "category_id", "taken")
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(day__lte=F("due_date"))))
        .order_by()
    )
    SignalClosedSummary.objects.bulk_create(
        SignalClosedSummary(
            **common,
            day=r["day"],
            category_id=r["category_id"],
            days_taken=_days_between(r["taken"]),
            signals=r["n"],
            on_time=r["ok"],
        )
        for r in closed
    )
    _rollup(organisation_id=organisation_id, programme_id=programme_id, start=start, end=end)


def _rollup(*, organisation_id, programme_id, start, end) -> None:
    """Sum the day rows of the weeks and months around [start, end) into their week and
    month rows (two grouped queries over the day rows of each table)."""
    last = end - dt.timedelta(days=1)
    weeks = (
        start - dt.timedelta(days=start.weekday()),
        last + dt.timedelta(days=7 - last.weekday()),
    )
    months = (start.replace(day=1), (last.replace(day=1) + dt.timedelta(days=32)).replace(day=1))
    common = {"organisation_id": organisation_id, "programme_id": programme_id}
    for grain, trunc, (a, b) in ((WEEK, TruncWeek, weeks), (MONTH, TruncMonth, months)):
        for model, keys, sums in (
            (SignalDaySummary, ("category_id", "status"), ("signals",)),
            (SignalClosedSummary, ("category_id", "days_taken"), ("signals", "on_time")),
        ):
            rows = model.objects.filter(programme_id=programme_id, day__gte=a, day__lt=b)
            rows.filter(grain=grain).delete()
            model.objects.bulk_create(
                model(**common, grain=grain, day=r["b"], **{k: r[k] for k in keys + sums})
                for r in rows.filter(grain=DAY)
                .annotate(b=trunc("day", output_field=DateField()))
                .values("b", *keys)
                .annotate(**{name: Sum(name) for name in sums})
                .order_by()
            )


@transaction.atomic
def summary_open_rewrite(*, organisation_id: int, programme_id: int, due_dates=None) -> None:
    """Rewrite the open signals of one programme per due date: of `due_dates`, or all of
    them (one grouped query over the open signals' index)."""
    rows = SignalOpenSummary.objects.filter(programme_id=programme_id)
    open_ = Signal.objects.filter(
        organisation_id=organisation_id, programme_id=programme_id, status__in=OPEN_STATUSES
    )
    if due_dates is not None:
        rows = rows.filter(due_date__in=sorted(due_dates))
        open_ = open_.filter(due_date__in=sorted(due_dates))
    rows.delete()
    SignalOpenSummary.objects.bulk_create(
        SignalOpenSummary(
            organisation_id=organisation_id,
            programme_id=programme_id,
            due_date=r["due_date"],
            signals=r["n"],
        )
        for r in open_.values("due_date").annotate(n=Count("pk")).order_by()
    )


def _claim(now) -> SummaryState | None:
    """Mark a run as started; None when another run is busy (and not stale)."""
    with transaction.atomic():
        state, _ = SummaryState.objects.select_for_update().get_or_create(key=KEY)
        if state.running_since and now - state.running_since < STALE_RUN:
            return None
        state.running_since = now
        state.save(update_fields=["running_since"])
    return state


def _heartbeat(state: SummaryState) -> None:
    state.running_since = timezone.now()
    state.save(update_fields=["running_since"])


def _finish(state: SummaryState, *, until=None, rebuilt=False) -> None:
    fields = ["running_since"]
    state.running_since = None
    if until is not None:
        state.refreshed_until = (
            until if state.refreshed_until is None else max(until, state.refreshed_until)
        )
        fields.append("refreshed_until")
    if rebuilt:
        state.rebuilt_at = until
        fields.append("rebuilt_at")
    state.save(update_fields=fields)


def _ranges(days) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as half-open runs of consecutive days."""
    out = []
    for day in sorted(days):
        if out and out[-1][1] == day:
            out[-1][1] = day + dt.timedelta(days=1)
        else:
            out.append([day, day + dt.timedelta(days=1)])
    return [(a, b) for a, b in out]


def _touched_dues(since, until) -> dict[tuple[int, int], set]:
    """(organisation, programme) -> the due dates of signals new or with a new status in
    [since, until): their open-signal rows change."""
    changed = SignalEvent.objects.filter(created_at__gte=since, created_at__lt=until).values(
        "signal_id"
    )
    out: dict[tuple[int, int], set] = {}
    for signals in (
        Signal.objects.filter(created_at__gte=since, created_at__lt=until),
        Signal.objects.filter(pk__in=changed),
    ):
        for r in (
            signals.values("organisation_id", "programme_id", "due_date").distinct().order_by()
        ):
            out.setdefault((r["organisation_id"], r["programme_id"]), set()).add(r["due_date"])
    return out


def _touched(since, until) -> dict[tuple[int, int], set]:
    """(organisation, programme) -> the Amsterdam days whose cells changed in [since, until):
    report and close days of new signals and of signals with a new status, and the days of
    earlier closes of the latter (a reopen takes a signal out of its old close day)."""
    touched: dict[tuple[int, int], set] = {}

    def add(rows):
        for r in rows:
            key = (r["organisation_id"], r["programme_id"])
            days = touched.setdefault(key, set())
            days.update(d for d in (r.get("d1"), r.get("d2")) if d is not None)

    changed = SignalEvent.objects.filter(created_at__gte=since, created_at__lt=until).values(
        "signal_id"
    )
    for signals in (
        Signal.objects.filter(created_at__gte=since, created_at__lt=until),
        Signal.objects.filter(pk__in=changed),
    ):
        add(
            signals.annotate(d1=_local_day("reported_at"), d2=_local_day("closed_at"))
            .values("organisation_id", "programme_id", "d1", "d2")
            .distinct()
            .order_by()
        )
    add(
        SignalEvent.objects.filter(signal_id__in=changed, to_status__in=CLOSED_LIST)
        .annotate(
            programme_id=F("signal__programme_id"),
            d1=_local_day("created_at"),
        )
        .values("organisation_id", "programme_id", "d1")
        .distinct()
        .order_by()
    )
    return touched


def summaries_refresh(*, now=None) -> int:
    """Rewrite the cells changed since the last run; the first run rebuilds everything.
    Returns how many (programme, day) cells were rewritten (0 when another run is busy).
    Reads and writes across tenants: a periodic job over every client."""
    now = now or timezone.now()
    with scopes_disabled():  # a periodic job over every client's summaries
        state = _claim(now)
        if state is None:
            return 0
        if state.refreshed_until is None:
            _finish(state)
            return summaries_rebuild(now=now)
        try:
            since = state.refreshed_until - OVERLAP
            touched = _touched(since, now)
            for (org_id, programme_id), dues in sorted(_touched_dues(since, now).items()):
                summary_open_rewrite(
                    organisation_id=org_id, programme_id=programme_id, due_dates=dues
                )
            n = 0
            for (org_id, programme_id), days in sorted(touched.items()):
                for start, end in _ranges(days):
                    summary_cells_rewrite(
                        organisation_id=org_id, programme_id=programme_id, start=start, end=end
                    )
                    n += (end - start).days
        except BaseException:
            _finish(state)  # the window is done again next time
            raise
        _finish(state, until=now)
        return n


def summaries_rebuild(*, now=None, programme_ids=None) -> int:
    """Rewrite every cell of every programme (or of `programme_ids`), a month at a time.
    Returns the number of months rewritten. Across tenants, like the refresh."""
    now = now or timezone.now()
    with scopes_disabled():  # a periodic job (and a command) over every client's summaries
        state = _claim(now)
        if state is None:
            return 0
        try:
            signals = Signal.objects.all()
            if programme_ids is not None:
                signals = signals.filter(programme_id__in=programme_ids)
            spans = (
                signals.values("organisation_id", "programme_id")
                .annotate(
                    first=Min("reported_at"),
                    last=Max("reported_at"),
                    closed_last=Max("closed_at"),
                )
                .order_by("programme_id")
            )
            months = 0
            for span in spans:
                summary_open_rewrite(
                    organisation_id=span["organisation_id"], programme_id=span["programme_id"]
                )
                first = timezone.localtime(span["first"]).date().replace(day=1)
                last = max(
                    timezone.localtime(t).date() for t in (span["last"], span["closed_last"]) if t
                )
                cursor = first
                while cursor <= last:
                    following = (cursor + dt.timedelta(days=32)).replace(day=1)
                    summary_cells_rewrite(
                        organisation_id=span["organisation_id"],
                        programme_id=span["programme_id"],
                        start=cursor,
                        end=following,
                    )
                    months += 1
                    cursor = following
                    _heartbeat(state)
        except BaseException:
            _finish(state)
            raise
        if programme_ids is None:
            _finish(state, until=now, rebuilt=True)
        else:  # the other programmes' changes are still to do: the window stays
            _finish(state)
        return months

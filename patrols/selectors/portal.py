"""Reads of the client's follow-up in the portal.

The signal list (capped counts, numbered then keyset pages, periods as ranges on the stored
moment), the map and the nearest known address."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.db.models.functions import Cos, Radians
from django.http import Http404
from django.utils import timezone

from programmes.models import Organisation
from programmes.selectors import (
    of_readable_programmes,
    readable_programmes,
)

from ..models import (
    Signal,
    SignalCategory,
    SignalEvent,
    latitude_band,
)
from ..workflow import OPEN_STATUSES


def signals_for_client(*, user, organisation) -> QuerySet[Signal]:
    """Signals of the client's programmes that `user` may read (the active scope guarantees
    the tenant; a project leader sees only the programmes they lead)."""
    qs = of_readable_programmes(
        Signal.objects.filter(organisation=organisation), user=user, organisation=organisation
    )
    return qs.select_related(
        "category", "category__parent", "programme", "assigned_to", "reported_by"
    )


def get_signal_for_client(*, user, organisation, pk) -> Signal:
    """One signal of the client's programmes; 404 for a missing one and for another's."""
    found = signals_for_client(user=user, organisation=organisation).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def signal_events(*, signal: Signal) -> QuerySet[SignalEvent]:
    """A signal's history as the client's staff follow it, with who did what."""
    return signal.events.select_related("actor", "assigned_to")


def signal_filter_choices(*, user, organisation: Organisation):
    """What the client's signal list filters on: (top-level categories, programmes), of the
    programmes `user` may read."""
    programmes = readable_programmes(user=user, organisation=organisation)
    categories = of_readable_programmes(
        SignalCategory.objects.filter(programme__organisation=organisation, parent__isnull=True),
        user=user,
        organisation=organisation,
    ).order_by("name")
    return categories, programmes.order_by("neighbourhood")


# The newest signals with a position the map shows at most (the page says so).
MAP_POINTS = 2000


def signal_map_rows(signals: QuerySet[Signal], *, limit: int | None = None) -> list[dict]:
    """The newest `limit` (MAP_POINTS unless given) signals with a position, as the few
    fields the map shows (the partial index "signal_org_newest_placed" serves it)."""
    limit = MAP_POINTS if limit is None else limit
    return list(
        signals.filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("-reported_at", "-pk")
        .values("pk", "latitude", "longitude", "status", "category__name", "description")[:limit]
    )


# Counts over a client's signals stop here: past it the page says "more than 10,000". An exact
# COUNT over a million rows takes longer than the whole page may; a count that stops after
# 10,001 rows read from an index does not.
COUNT_CAP = 10_000


def capped_counts(*querysets: QuerySet, cap: int | None = None) -> list[int]:
    """How many rows each queryset has, counted up to `cap` (COUNT_CAP unless given) + 1 (a
    result above `cap` means "more than `cap`"), in one query for all of them."""
    cap = COUNT_CAP if cap is None else cap
    parts, params = [], []
    for i, qs in enumerate(querysets):
        limited = qs.order_by().values("pk")[: cap + 1]
        try:
            sql, part_params = limited.query.get_compiler(using=limited.db).as_sql()
        except EmptyResultSet:  # a filter that matches nothing (an empty IN list)
            parts.append("0")
            continue
        # `sql` is Django's own compiled query; the values travel as parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped_{i})")  # noqa: S608
        params.extend(part_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return [int(n) for n in cursor.fetchone()]


def signal_counts_for_client(*, user, organisation) -> dict[str, int]:
    """Open, urgent and overdue signals of the client that `user` may read, each counted up
    to `COUNT_CAP` + 1 (above `COUNT_CAP` reads "more than"), in one query.

    Urgent counts only open signals: a handled urgent signal no longer waits for anyone.
    Overdue means past the due date, which the category's handling time in working days set
    when the signal was reported (`Signal.is_overdue` uses the same rule).
    """
    signals = of_readable_programmes(
        Signal.objects.filter(organisation=organisation, status__in=OPEN_STATUSES),
        user=user,
        organisation=organisation,
    )
    n_open, urgent, overdue = capped_counts(
        signals, signals.filter(urgent=True), signals.filter(due_date__lt=timezone.localdate())
    )
    return {"open": n_open, "urgent": urgent, "overdue": overdue}


PAGE_SIZE = 50
# Pages reached by their number (an OFFSET of at most 950 rows); past them the list goes on
# "older than the last signal shown" (keyset), which the index answers at any depth.
NUMBERED_PAGES = 20


@dataclass
class SignalPage:
    """One page of the client's signal list and the ways on from it.

    `count` is capped (above `COUNT_CAP` means "more than"); `number` is None on a page
    reached by "older/newer than"; `newer` and `older` are the query (`page=3`,
    `before=<cursor>`) of the neighbouring pages, None where there is none.
    """

    object_list: list
    count: int
    number: int | None
    newer: str | None
    older: str | None
    too_deep: bool = False  # a page number past NUMBERED_PAGES was asked for
    bad_link: bool = False  # an older/newer link that is no cursor

    @property
    def more_than_cap(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def num_pages(self) -> int | None:
        """The number of pages when the count is exact."""
        return None if self.more_than_cap else max(1, -(-self.count // PAGE_SIZE))

    @property
    def paginator(self):
        """The page itself: `count` and `num_pages` where Django's Page keeps them."""
        return self

    @property
    def has_other_pages(self) -> bool:
        return bool(self.newer or self.older or self.number is None)


def _cursor(signal: Signal) -> str:
    """Where a signal stands in the newest-first order, for a link: its moment (UTC, to the
    microsecond) and its id."""
    return f"{signal.reported_at.astimezone(dt.UTC):%Y%m%d%H%M%S%f}-{signal.pk}"


_CURSOR = re.compile(r"(\d{20})-(\d{1,18})")


def _parse_cursor(value: str) -> tuple[dt.datetime, int] | None:
    """(moment, id) from a link's cursor; None for anything else."""
    found = _CURSOR.fullmatch(value or "")
    if not found:
        return None
    try:
        at = dt.datetime.strptime(found[1], "%Y%m%d%H%M%S%f").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return at, int(found[2])


def _page_number(value) -> int:
    try:
        return max(1, int(str(value)[:9]))
    except (TypeError, ValueError):
        return 1


def signal_page(
    signals: QuerySet[Signal], *, page=None, before: str = "", after: str = ""
) -> SignalPage:
    """A page of `signals`, newest first: by number for the first `NUMBERED_PAGES` pages,
    past them by "older than" / "newer than" a signal (its cursor in the link), so a deep page
    costs what the first does and every row is reached exactly once going on with "older".

    Two queries: the capped count and the page (the count does not grow with the data).
    """
    count = capped_counts(signals)[0]
    newest_first = signals.order_by("-reported_at", "-pk")
    cursor = _parse_cursor(before or after)
    if cursor is not None:
        at, pk = cursor
        if before:
            older_than = Q(reported_at__lt=at) | Q(reported_at=at, pk__lt=pk)
            # `reported_at__lte` bounds the index scan; the OR picks the ties by id.
            rows = list(newest_first.filter(older_than, reported_at__lte=at)[: PAGE_SIZE + 1])
            more = len(rows) > PAGE_SIZE
            rows = rows[:PAGE_SIZE]
            newer = f"after={_cursor(rows[0])}" if rows else None
            older = f"before={_cursor(rows[-1])}" if more else None
        else:
            newer_than = Q(reported_at__gt=at) | Q(reported_at=at, pk__gt=pk)
            rows = list(
                signals.filter(newer_than, reported_at__gte=at).order_by("reported_at", "pk")[
                    : PAGE_SIZE + 1
                ]
            )
            more = len(rows) > PAGE_SIZE
            rows = rows[:PAGE_SIZE][::-1]
            newer = f"after={_cursor(rows[0])}" if more else None
            older = f"before={_cursor(rows[-1])}" if rows else None
        return SignalPage(rows, count, None, newer, older)
    asked = _page_number(page)
    last = max(1, -(-count // PAGE_SIZE))
    number = min(asked, last, NUMBERED_PAGES)
    offset = (number - 1) * PAGE_SIZE
    rows = list(newest_first[offset : offset + PAGE_SIZE])
    if count > offset + PAGE_SIZE and rows:
        older = f"page={number + 1}" if number < NUMBERED_PAGES else f"before={_cursor(rows[-1])}"
    else:
        older = None
    return SignalPage(
        rows,
        count,
        number,
        newer=f"page={number - 1}" if number > 1 else None,
        older=older,
        too_deep=asked > number and number == NUMBERED_PAGES,
        bad_link=bool(before or after),
    )


# How far an earlier signal's address may be to name a place: about 75 metres, in degrees of
# latitude (one degree is about 111.3 km everywhere).
NEARBY_METRES = 75
_NEARBY_LAT = (Decimal(NEARBY_METRES) / Decimal(111_320)).quantize(Decimal("0.0000001"))
# The box's half-width in longitude is taken as for 60° north, wider than anywhere in the
# Netherlands, so the box never cuts off a neighbour; the exact distance is checked after it.
_NEARBY_LNG = _NEARBY_LAT * 2


class _OneOf(Func):
    """`value IN (a, b, ...)` where the options are expressions of the outer row; written as
    `= ANY(ARRAY[...])` on PostgreSQL, which an index scan takes as its condition (an IN of
    expressions becomes an OR there, which only filters)."""

    conditional = True
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        value, *options = (compiler.compile(e) for e in self.get_source_expressions())
        template = "{} = ANY(ARRAY[{}])" if connection.vendor == "postgresql" else "{} IN ({})"
        sql = template.format(value[0], ", ".join(o[0] for o in options))
        return sql, (*value[1], *(p for o in options for p in o[1]))


def nearest_addresses(*, signals) -> dict[int, tuple[str, str]]:
    """For signals given without a street: the street and number of the nearest earlier
    signal of the same programme with an address within about 75 m, as {pk: (street, nr)}.

    One query for any number of signals: each is joined (through its programme) to the
    programme's earlier signals with a street inside a bounding box, the distance is computed
    and checked in SQL (an equirectangular approximation, exact enough at this scale) and the
    rows come ordered nearest first (on PostgreSQL only the nearest comes back). A join, not a
    correlated subquery: SQLite cannot order a subquery by a column of the outer query. The
    candidates come from the index "signal_addresses_nearby" alone: equality on the point's
    latitude bands (`latitude_band`) and a range of longitude, a few hundred index rows per
    signal however many signals the programme has.
    """
    wanted = [
        s.pk for s in signals if not s.street and s.latitude is not None and s.longitude is not None
    ]
    if not wanted:
        return {}
    lat, lng = F("latitude"), F("longitude")
    d_lat = F("programme__signals__latitude") - lat
    d_lng = (F("programme__signals__longitude") - lng) * Cos(Radians(lat))
    # The bands the box touches (the box is 0.00135° tall, so at most three): equality on the
    # band lets the index narrow by longitude too, where a latitude range would read every
    # address of the programme in that range.
    bands = [latitude_band(lat - _NEARBY_LAT), latitude_band(lat), latitude_band(lat + _NEARBY_LAT)]
    rows = (
        Signal.objects.filter(pk__in=wanted)
        .filter(
            # In the same filter() as the rest: one join to the programme's signals.
            _OneOf(latitude_band(F("programme__signals__latitude")), *bands),
            programme__signals__latitude__range=(lat - _NEARBY_LAT, lat + _NEARBY_LAT),
            programme__signals__longitude__range=(lng - _NEARBY_LNG, lng + _NEARBY_LNG),
            programme__signals__reported_at__lt=F("reported_at"),
            programme__signals__street__gt="",
        )
        .annotate(
            distance=ExpressionWrapper(d_lat * d_lat + d_lng * d_lng, output_field=FloatField())
        )
        .filter(distance__lte=float(_NEARBY_LAT) ** 2)
        .order_by("pk", "distance", "-programme__signals__reported_at")
        .values_list("pk", "programme__signals__street", "programme__signals__house_number")
    )
    if connection.vendor == "postgresql":  # only the nearest row of each signal comes back
        rows = rows.distinct("pk")
    found: dict[int, tuple[str, str]] = {}
    for pk, street, number in rows:
        found.setdefault(pk, (street, number))
    return found


def with_places(signals) -> list[Signal]:
    """The signals, each with `near_street` and `near_number` set (empty when the signal has
    its own street or nothing is near); one query for the lot."""
    signals = list(signals)
    found = nearest_addresses(signals=signals)
    for signal in signals:
        signal.near_street, signal.near_number = found.get(signal.pk, ("", ""))
    return signals

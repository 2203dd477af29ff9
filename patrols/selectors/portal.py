"""Reads of the client's follow-up in the portal.

The signal list (capped counts, numbered then keyset pages, periods as ranges on the stored
moment), the map and the nearest known address."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from programmes.models import Organisation, Programme, User
from programmes.selectors import (
    of_readable_programmes,
    readable_programmes,
)

from ..models import (
    Signal,
    SignalCategory,
    SignalEvent,
)
from ..workflow import OPEN_STATUSES
from . import compiled


def signals_for_client(*, user, organisation) -> QuerySet[Signal]:
    """Signals of the client's programmes that `user` may read (the active scope guarantees
    the tenant; a project leader sees only the programmes they lead)."""
    qs = of_readable_programmes(
        Signal.objects.filter(organisation=organisation), user=user, organisation=organisation
    )
    return qs.select_related(
        "category", "category__parent", "programme", "assigned_to", "reported_by"
    )


# What a row of the client's list shows (and the nearest-address lookup reads): the list reads
# these columns of the signal and the names of what it refers to as values of the same row,
# not every column of five tables made into five model instances per row.
LIST_FIELDS = (
    "reported_at",
    "urgent",
    "description",
    "street",
    "house_number",
    "latitude",
    "longitude",
    "status",
    "due_date",
    "programme",
    "assigned_to",
)


def for_signal_list(signals: QuerySet[Signal]) -> QuerySet[Signal]:
    """`signals` (of `signals_for_client`) as the list reads them: `LIST_FIELDS`, and
    `category_name`, `parent_name` (None for a top-level category), `neighbourhood`,
    `assigned_name` and `assigned_email` (None when nobody is assigned)."""
    return (
        signals.select_related(None)
        .only(*LIST_FIELDS)
        .annotate(
            category_name=F("category__name"),
            parent_name=F("category__parent__name"),
            neighbourhood=F("programme__neighbourhood"),
            assigned_name=F("assigned_to__name"),
            assigned_email=F("assigned_to__email"),
        )
    )


def get_signal_for_client(*, user, organisation, pk) -> Signal:
    """One signal of the client's programmes; 404 for a missing one and for another's."""
    found = (
        signals_for_client(user=user, organisation=organisation)
        .select_related("assigned_department")  # shown on its page
        .filter(pk=pk)
        .first()
    )
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
    signals: QuerySet[Signal], *, page=None, before: str = "", after: str = "", read=None
) -> SignalPage:
    """A page of `signals`, newest first: by number for the first `NUMBERED_PAGES` pages,
    past them by "older than" / "newer than" a signal (its cursor in the link), so a deep page
    costs what the first does and every row is reached exactly once going on with "older".
    `read` (e.g. `for_signal_list`) shapes the page's query only: the count stays a bare
    count that an index answers alone, without the joins the rows need.

    Two queries: the capped count and the page (the count does not grow with the data).
    """
    count = capped_counts(signals)[0]
    if read is not None:
        signals = read(signals)
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
    return _numbered_page(
        count,
        page,
        lambda offset: list(newest_first[offset : offset + PAGE_SIZE]),
        bad_link=bool(before or after),
    )


def _numbered_page(count: int, page, fetch, *, bad_link: bool = False) -> SignalPage:
    """The numbered page `page` asks for (the nearest one there is, at most NUMBERED_PAGES)
    of `count` signals, its rows from `fetch(offset)`."""
    asked = _page_number(page)
    last = max(1, -(-count // PAGE_SIZE))
    number = min(asked, last, NUMBERED_PAGES)
    offset = (number - 1) * PAGE_SIZE
    rows = fetch(offset)
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
        bad_link=bad_link,
    )


# Stand-ins in the statements compiled once (`compiled`) for the user, the user's own
# organisation and the client of the list.
_USER, _USER_ORG, _CLIENT = (compiled.mark(n) for n in range(3))


def _stand_in(user, organisation) -> tuple[User, dict, tuple]:
    """A user standing in for `user` in a statement compiled once, the values of its marks,
    and what shapes the statement (the role; whether the user belongs to the client, which
    decides whether they read all its programmes)."""
    own = user.organisation_id == organisation.pk
    stand_in = User(
        pk=_USER,
        role=user.role,
        organisation_id=_CLIENT if own else (None if user.organisation_id is None else _USER_ORG),
    )
    values = {_USER: user.pk, _CLIENT: organisation.pk}
    if not own and user.organisation_id is not None:
        values[_USER_ORG] = user.organisation_id
    return stand_in, values, (user.role, own, user.organisation_id is None)


def signal_filter_lists(*, user, organisation) -> tuple[list, list]:
    """`signal_filter_choices` read as the filter form shows them: (top-level categories,
    programmes), each loaded with what its option says (a category's name; a programme's
    neighbourhood and name), by statements compiled once per role."""
    stand_in, values, shape = _stand_in(user, organisation)
    client = Organisation(pk=_CLIENT)

    def choices():
        return signal_filter_choices(user=stand_in, organisation=client)

    categories = [
        compiled.loaded(SignalCategory, {"id": pk, "name": name, "parent_id": None})
        for pk, name in compiled.rows(
            ("portal.categories", *shape),
            lambda: choices()[0].select_related(None).values_list("pk", "name"),
            values,
        )
    ]
    programmes = [
        compiled.loaded(Programme, {"id": pk, "name": name, "neighbourhood": neighbourhood})
        for pk, neighbourhood, name in compiled.rows(
            ("portal.programmes", *shape),
            lambda: choices()[1].select_related(None).values_list("pk", "neighbourhood", "name"),
            values,
        )
    ]
    return categories, programmes


# The same columns by their stored names (`programme_id`), the id first.
_LIST_COLUMNS = ("id", *(Signal._meta.get_field(name).attname for name in LIST_FIELDS))
_LIST_NAMES = ("category_name", "parent_name", "neighbourhood", "assigned_name", "assigned_email")


class ListedSignal:
    """A row of the client's signal list as `for_signal_list` reads it: its columns and
    names as attributes (`pk` the id), without a model instance made per row; the nearest
    address (`with_places`) is set on it."""

    __slots__ = ("pk", *_LIST_COLUMNS[1:], *_LIST_NAMES, "near_street", "near_number")

    def __init__(self, row):
        for name, value in zip(_ROW_ATTRIBUTES, row, strict=True):
            setattr(self, name, value)

    @property
    def id(self):
        return self.pk


_ROW_ATTRIBUTES = ("pk", *_LIST_COLUMNS[1:], *_LIST_NAMES)


def unfiltered_signal_page(*, user, organisation, page=None) -> SignalPage:
    """`signal_page(signals_for_client(...), read=for_signal_list, page=page)` for the list
    without a filter or a link to older or newer signals (how the list opens): the capped
    count and the page by statements compiled once per role, the page's number and OFFSET as
    parameters; the rows as `ListedSignal`s."""
    stand_in, values, shape = _stand_in(user, organisation)
    client = Organisation(pk=_CLIENT)

    def signals():
        return signals_for_client(user=stand_in, organisation=client)

    count = compiled.count(
        ("portal.count", *shape),
        lambda: signals().order_by().values("pk")[: COUNT_CAP + 1],
        values,
        as_is=True,
        # The statement `capped_counts` runs.
        statement="SELECT (SELECT COUNT(*) FROM ({}) capped_0)",
    )

    def newest_first():
        return (
            for_signal_list(signals())
            .order_by("-reported_at", "-pk")
            .values_list(*_LIST_COLUMNS, *_LIST_NAMES)
        )

    def fetch(offset: int) -> list[ListedSignal]:
        return [
            ListedSignal(row)
            for row in compiled.rows(
                ("portal.page", *shape), newest_first, values, limit=PAGE_SIZE, offset=offset
            )
        ]

    return _numbered_page(count, page, fetch)


# How far an earlier signal's address may be to name a place: about 75 metres.
NEARBY_METRES = 75
# The rings searched on PostgreSQL, nearest first: the nearest address within the small ring is
# the nearest of all (anything outside it is farther), so the 75 m ring is read only for a
# signal with nothing that close. In a busy street the small ring holds a few addresses where
# the large one holds hundreds, each with its distance computed and sorted.
NEARBY_RINGS_METRES = (10, NEARBY_METRES)


def _ring(metres: int) -> list:
    """The values of `_candidate` for a ring of `metres`: the box's half-height in degrees
    of latitude (one degree is about 111.3 km everywhere) and half-width in degrees of
    longitude, taken as for 60° north, wider than anywhere in the Netherlands, so the box
    never cuts off a neighbour; then the square of the distance, checked after the box."""
    d_lat = (Decimal(metres) / Decimal(111_320)).quantize(Decimal("0.0000001"))
    d_lng = d_lat * 2
    return [d_lat, d_lat, d_lat, d_lat, d_lng, d_lng, float(d_lat) ** 2]


# The squared distance (an equirectangular approximation, exact enough at this scale) between
# the signal `s` and a candidate `c`, in degrees of latitude.
_DISTANCE = (
    "(c.latitude - s.latitude) * (c.latitude - s.latitude)"
    " + ((c.longitude - s.longitude) * COS(RADIANS(s.latitude)))"
    " * ((c.longitude - s.longitude) * COS(RADIANS(s.latitude)))"
)


# `latitude_band` of a latitude as each database's index "signal_addresses_nearby" holds it:
# SQLite uses an index on an expression only where the query repeats the expression exactly,
# and Django writes FLOOR of a decimal there wrapped in casts.
_BAND_SQL = {
    "postgresql": "FLOOR({} * 1000)",
    "sqlite": "CAST(((CAST(FLOOR((CAST(({} * 1000) AS NUMERIC))) AS NUMERIC))) AS NUMERIC)",
}


def _candidate(vendor: str) -> str:
    """The condition on `c`, an earlier address of the programme of the signal `s` within a
    ring (`_ring`'s values): the box from the index "signal_addresses_nearby" alone (equality
    on the at most three latitude bands the box touches lets the index narrow by longitude
    too), then the distance. PostgreSQL takes `= ANY(ARRAY[...])` as the index scan's
    condition, where an IN of expressions becomes an OR that only filters; SQLite has no
    arrays."""
    band = _BAND_SQL.get(vendor, _BAND_SQL["postgresql"]).format
    bands = f"{band('(s.latitude - %s)')}, {band('s.latitude')}, {band('(s.latitude + %s)')}"
    match = f"= ANY(ARRAY[{bands}])" if vendor == "postgresql" else f"IN ({bands})"
    return f"""c.programme_id = s.programme_id AND c.street > ''
        AND {band("c.latitude")} {match}
        AND c.latitude BETWEEN s.latitude - %s AND s.latitude + %s
        AND c.longitude BETWEEN s.longitude - %s AND s.longitude + %s
        AND c.reported_at < s.reported_at
        AND {_DISTANCE} <= %s"""


def nearest_addresses(*, signals) -> dict[int, tuple[str, str]]:
    """For signals given without a street: the street and number of the nearest earlier
    signal of the same programme with an address within about 75 m (of the nearest, the
    newest), as {pk: (street, nr)}.

    One query for any number of signals. On PostgreSQL each signal searches the rings in turn
    (a LATERAL UNION ALL ... LIMIT 1 stops at the first ring with an address) and only the
    nearest comes back; on SQLite, which cannot order a subquery by a column of the outer
    query, each is joined to the candidates in 75 m, ordered nearest first. The candidates come
    from the index "signal_addresses_nearby" alone, a few index rows per signal however many
    signals the programme has.
    """
    wanted = [
        s.pk for s in signals if not s.street and s.latitude is not None and s.longitude is not None
    ]
    if not wanted:
        return {}
    vendor = connection.vendor
    order = f"ORDER BY {_DISTANCE}, c.reported_at DESC"
    if vendor == "postgresql":
        ring = (
            "(SELECT c.street, c.house_number FROM patrols_signal c"  # noqa: S608 - constants only
            f" WHERE {_candidate(vendor)} {order} LIMIT 1)"
        )
        sql = (
            "SELECT s.id, near.street, near.house_number FROM patrols_signal s"  # noqa: S608
            f" CROSS JOIN LATERAL ({' UNION ALL '.join([ring] * len(NEARBY_RINGS_METRES))}"
            " LIMIT 1) near WHERE s.id = ANY(%s)"
        )
        params = [v for metres in NEARBY_RINGS_METRES for v in _ring(metres)] + [wanted]
    else:
        sql = (
            "SELECT s.id, c.street, c.house_number FROM patrols_signal s, patrols_signal c"  # noqa: S608
            f" WHERE s.id IN ({', '.join(['%s'] * len(wanted))}) AND {_candidate(vendor)}"
            f" {order.replace('ORDER BY', 'ORDER BY s.id,')}"
        )
        params = [*wanted, *_ring(NEARBY_METRES)]
    found: dict[int, tuple[str, str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, street, number in cursor.fetchall():
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

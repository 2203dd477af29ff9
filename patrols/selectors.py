"""Reads of the patrols app that take the acting user (or the programme they act in).

The team is read through the base roster selectors (`programmes.selectors.roster`...); an id
taken from a URL or a form is looked up through a selector that scopes it (404 otherwise).
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import (
    BooleanField,
    Count,
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

from programmes.models import Document, Organisation, Programme, User
from programmes.selectors import (
    of_readable_programmes,
    readable_programmes,
    roster,
    team_memberships_for,
)

from .models import (
    Conversation,
    EffortRule,
    RewardHandout,
    Round,
    RoundSlot,
    Signal,
    SignalCategory,
    SignalEvent,
    SignalPhoto,
    latitude_band,
)
from .workflow import OPEN_STATUSES, Status

# --- The team member's app ------------------------------------------------------------------


def on_a_team(*, user) -> bool:
    """Whether `user` is an active member of any team in the active scope."""
    return bool(team_memberships_for(user=user))


def get_member_programme(*, user, pk) -> Programme:
    """A programme whose team `user` is on; 404 otherwise."""
    member = next((m for m in team_memberships_for(user=user) if m.programme_id == pk), None)
    if member is None:
        raise Http404
    return member.programme


def mates_of(*, programme: Programme, user) -> QuerySet:
    """The other active members of the programme's team (roster rows with their user), by
    name: whom `user` may walk a round with."""
    return roster(programme=programme).exclude(user=user)


def walkers_by_ids(*, programme: Programme, pks) -> list[User]:
    """The accounts among `pks` that are active members of the programme's team."""
    return [m.user for m in roster(programme=programme).filter(user_id__in=pks)]


def own_documents(*, user) -> QuerySet[Document]:
    """The documents made for `user` (their certificates), newest first, in every state."""
    return Document.objects.filter(owner=user).order_by("-created_at")


def get_own_document(*, user, pk, ready: bool = False) -> Document:
    """A document made for `user`; with `ready`, only one whose file is there. 404 for a
    missing one and for anyone else's alike."""
    qs = own_documents(user=user).filter(pk=pk)
    if ready:
        qs = qs.filter(status=Document.Status.READY)
    found = qs.first()
    if found is None or (ready and not found.file):
        raise Http404
    return found


def get_member_slot(*, user, pk) -> RoundSlot:
    """A scheduled round of one of `user`'s programmes; 404 for one that is not theirs."""
    slot = RoundSlot.objects.filter(pk=pk).select_related("programme").first()
    if slot is None:
        raise Http404
    get_member_programme(user=user, pk=slot.programme_id)
    return slot


def is_signed_up(*, slot: RoundSlot, user) -> bool:
    """Whether `user` signed up for the scheduled round."""
    return slot.signups.filter(user=user).exists()


def categories_for(*, programme: Programme) -> QuerySet[SignalCategory]:
    """The categories of the programme a member may choose, with their parent."""
    return programme.signal_categories.filter(is_active=True).select_related("parent")


def get_category(*, programme: Programme, pk) -> SignalCategory:
    """A category of the programme still in use; 404 otherwise."""
    found = categories_for(programme=programme).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_round_by_uuid(*, programme: Programme, uuid) -> Round | None:
    """The programme's round with this phone-made id, or None (not received yet)."""
    return Round.objects.filter(programme=programme, uuid=uuid).first()


def get_own_signal_by_uuid(*, user, uuid) -> Signal:
    """The signal `user` reported under this phone-made id; 404 otherwise."""
    found = Signal.objects.filter(uuid=uuid, reported_by=user).first()
    if found is None:
        raise Http404
    return found


def upcoming_slots(*, programme: Programme, limit: int = 5):
    """The programme's next scheduled rounds, soonest first, with who signed up."""
    return (
        RoundSlot.objects.filter(programme=programme, starts_at__gte=timezone.now())
        .prefetch_related("signups__user")
        .order_by("starts_at")[:limit]
    )


def signals_of_member(*, user, limit: int = 20):
    """The latest signals `user` reported, newest first."""
    return (
        Signal.objects.filter(reported_by=user)
        .select_related("category", "category__parent")
        .order_by("-reported_at")[:limit]
    )


def own_signals(*, user) -> QuerySet[Signal]:
    """The signals `user` reported, newest first, with their photo count (for the list)."""
    return (
        Signal.objects.filter(reported_by=user)
        .select_related("category", "category__parent", "programme")
        .annotate(photo_count=Count("photos"))
        .order_by("-reported_at", "-pk")
    )


def get_own_signal(*, user, pk) -> Signal:
    """One signal `user` reported; 404 for a missing one and for anyone else's alike."""
    found = (
        Signal.objects.filter(reported_by=user, pk=pk)
        .select_related("category", "category__parent", "programme")
        .first()
    )
    if found is None:
        raise Http404
    return found


def signal_history_for_member(*, signal: Signal) -> QuerySet[SignalEvent]:
    """A signal's history rows, oldest first, as its reporter reads them."""
    return signal.events.select_related("actor__organisation").order_by("created_at", "id")


def signal_photos(*, signal: Signal) -> QuerySet[SignalPhoto]:
    """The photos of a signal the caller has already been allowed to see."""
    return signal.photos.all()


def get_signal_photo(*, signal: Signal, pk) -> SignalPhoto:
    """One photo of a signal the caller may see; 404 for a photo of another signal."""
    found = signal_photos(signal=signal).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- The client's follow-up in the portal ---------------------------------------------------


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


# --- The project leader's patrol pages of a programme ---------------------------------------


def planned_slots(*, programme: Programme, limit: int = 20) -> QuerySet[RoundSlot]:
    """The programme's scheduled rounds still to come, soonest first, with their sign-ups."""
    return (
        RoundSlot.objects.filter(programme=programme, starts_at__gte=timezone.now())
        .annotate(n_signups=Count("signups"))
        .order_by("starts_at")[:limit]
    )


def rounds_walked(*, programme: Programme) -> QuerySet[Round]:
    """The programme's rounds, newest first, for paging (the index on programme and start
    answers the order); `with_round_counts` counts the walkers and signals of the page."""
    return Round.objects.filter(programme=programme).order_by("-started_at", "-pk")


def with_round_counts(rounds) -> list[Round]:
    """`rounds` (a page of them) with `n_walkers` and `n_signals` set, from one grouped query
    over just these rounds, instead of a join and GROUP BY over every round of the programme
    (or a subquery per round, which SQLite answers by reading the tenant's signals)."""
    rounds = list(rounds)
    counts = {
        row["pk"]: row
        for row in Round.objects.filter(pk__in=[r.pk for r in rounds])
        .values("pk")
        .annotate(
            n_walkers=Count("walkers", distinct=True), n_signals=Count("signals", distinct=True)
        )
        .order_by()
    }
    for round_ in rounds:
        row = counts.get(round_.pk, {})
        round_.n_walkers = row.get("n_walkers", 0)
        round_.n_signals = row.get("n_signals", 0)
    return rounds


def recent_conversations(*, programme: Programme, limit: int = 20) -> QuerySet[Conversation]:
    """The programme's conversations with residents, newest first."""
    return (
        Conversation.objects.filter(programme=programme)
        .select_related("reported_by")
        .order_by("-reported_at")[:limit]
    )


def signal_counts_by_status(*, programme: Programme) -> list[dict]:
    """How many of the programme's signals stand in each status, as {status label, n}."""
    rows = (
        Signal.objects.filter(programme=programme)
        .values("status")
        .annotate(n=Count("id"))
        .order_by("status")
    )
    return [{"status": Status(row["status"]).label, "n": row["n"]} for row in rows]


def categories_of(*, programme: Programme) -> QuerySet[SignalCategory]:
    """All the programme's categories, in use or not, grouped under their parent."""
    return (
        SignalCategory.objects.filter(programme=programme)
        .select_related("parent")
        .order_by("parent__position", "parent__name", "position", "name")
    )


def parent_categories(*, programme: Programme) -> QuerySet[SignalCategory]:
    """The programme's top-level categories (what a new category may go under)."""
    return SignalCategory.objects.filter(programme=programme, parent__isnull=True)


def find_category(*, programme: Programme, pk, parent: bool = False) -> SignalCategory | None:
    """A category of the programme (with `parent`, a top-level one), or None for an id that
    names none of them."""
    qs = parent_categories(programme=programme) if parent else categories_of(programme=programme)
    return qs.filter(pk=pk).first()


def effort_rule_of(*, programme: Programme) -> EffortRule | None:
    """The programme's effort obligation and reward, None before one is set."""
    return EffortRule.objects.filter(programme=programme).first()


def rewards_handed(*, programme: Programme, month: dt.date) -> set[int]:
    """The ids of the accounts whose reward for `month` (its first day) was handed out."""
    return set(
        RewardHandout.objects.filter(programme=programme, month=month).values_list(
            "user_id", flat=True
        )
    )


def signals_by_category(*, programme: Programme, year: int, month: int) -> QuerySet:
    """The programme's signals of a month per category, most first, with how many are open;
    the month is a range on the stored time (local month start to the next), not a per-row
    conversion of every signal's date."""
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = timezone.make_aware(dt.datetime(year + month // 12, month % 12 + 1, 1))
    return (
        Signal.objects.filter(programme=programme, reported_at__gte=start, reported_at__lt=end)
        .values("category__name")
        .annotate(
            n=Count("id"),
            open=Count("id", filter=~Q(status__in=[Status.RESOLVED, Status.NOT_APPLICABLE])),
        )
        .order_by("-n")
    )

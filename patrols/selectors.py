"""Reads of the patrols app that take the acting user (or the programme they act in).

The team is read through the base roster selectors (`programmes.selectors.roster`...); an id
taken from a URL or a form is looked up through a selector that scopes it (404 otherwise).
"""

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
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


def signal_map_rows(signals: QuerySet[Signal], *, limit: int = 2000) -> list[dict]:
    """The signals with a position, newest first, as the few fields the map shows."""
    return list(
        signals.filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("-reported_at")
        .values("pk", "latitude", "longitude", "status", "category__name", "description")[:limit]
    )


def signal_counts_for_client(*, user, organisation) -> dict[str, int]:
    """Open, urgent and overdue signals of the client that `user` may read, counted in one
    aggregate query.

    Urgent counts only open signals: a handled urgent signal no longer waits for anyone.
    Overdue means past the due date, which the category's handling time in working days set
    when the signal was reported (`Signal.is_overdue` uses the same rule).
    """
    signals = of_readable_programmes(
        Signal.objects.filter(organisation=organisation, status__in=OPEN_STATUSES),
        user=user,
        organisation=organisation,
    )
    return signals.aggregate(
        open=Count("pk"),
        urgent=Count("pk", filter=Q(urgent=True)),
        overdue=Count("pk", filter=Q(due_date__lt=timezone.localdate())),
    )


# How far an earlier signal's address may be to name a place: about 75 metres, in degrees of
# latitude (one degree is about 111.3 km everywhere).
NEARBY_METRES = 75
_NEARBY_LAT = (Decimal(NEARBY_METRES) / Decimal(111_320)).quantize(Decimal("0.0000001"))
# The box's half-width in longitude is taken as for 60° north, wider than anywhere in the
# Netherlands, so the box never cuts off a neighbour; the exact distance is checked after it.
_NEARBY_LNG = _NEARBY_LAT * 2


def nearest_addresses(*, signals) -> dict[int, tuple[str, str]]:
    """For signals given without a street: the street and number of the nearest earlier
    signal of the same programme with an address within about 75 m, as {pk: (street, nr)}.

    One query for any number of signals: each is joined (through its programme) to the
    programme's earlier signals with a street inside a bounding box, the distance is computed
    and checked in SQL (an equirectangular approximation, exact enough at this scale) and the
    rows come ordered nearest first. A join, not a correlated subquery: SQLite cannot order a
    subquery by a column of the outer query.
    """
    wanted = [
        s.pk for s in signals if not s.street and s.latitude is not None and s.longitude is not None
    ]
    if not wanted:
        return {}
    lat, lng = F("latitude"), F("longitude")
    d_lat = F("programme__signals__latitude") - lat
    d_lng = (F("programme__signals__longitude") - lng) * Cos(Radians(lat))
    rows = (
        Signal.objects.filter(pk__in=wanted)
        .filter(
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


def recent_rounds(*, programme: Programme, limit: int = 20) -> QuerySet[Round]:
    """The programme's walked rounds, newest first, with their walkers and signals counted."""
    return (
        Round.objects.filter(programme=programme)
        .annotate(
            n_walkers=Count("walkers", distinct=True), n_signals=Count("signals", distinct=True)
        )
        .order_by("-started_at")[:limit]
    )


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
    """The programme's signals of a month per category, most first, with how many are open."""
    return (
        Signal.objects.filter(programme=programme, reported_at__year=year, reported_at__month=month)
        .values("category__name")
        .annotate(
            n=Count("id"),
            open=Count("id", filter=~Q(status__in=[Status.RESOLVED, Status.NOT_APPLICABLE])),
        )
        .order_by("-n")
    )

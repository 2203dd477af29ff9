"""Reads of the patrols app that take the acting user."""

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

from programmes.models import Programme, TeamMember

from .models import Round, RoundSlot, Signal, SignalCategory, SignalEvent
from .workflow import OPEN_STATUSES


def memberships_for(*, user) -> QuerySet[TeamMember]:
    return TeamMember.objects.filter(user=user, is_active=True).select_related("programme")


def get_member_programme(*, user, pk) -> Programme:
    """A programme whose team `user` is on; 404 otherwise."""
    member = memberships_for(user=user).filter(programme_id=pk).first()
    if member is None:
        raise Http404
    return member.programme


def categories_for(*, programme: Programme) -> QuerySet[SignalCategory]:
    return programme.signal_categories.filter(is_active=True).select_related("parent")


def get_category(*, programme: Programme, pk) -> SignalCategory:
    found = categories_for(programme=programme).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_round_by_uuid(*, programme: Programme, uuid) -> Round | None:
    return Round.objects.filter(programme=programme, uuid=uuid).first()


def get_own_signal_by_uuid(*, user, uuid) -> Signal:
    found = Signal.objects.filter(uuid=uuid, reported_by=user).first()
    if found is None:
        raise Http404
    return found


def upcoming_slots(*, programme: Programme, limit: int = 5):
    return (
        RoundSlot.objects.filter(programme=programme, starts_at__gte=timezone.now())
        .prefetch_related("signups__user")
        .order_by("starts_at")[:limit]
    )


def signals_of_member(*, user, limit: int = 20):
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
    return signal.events.order_by("created_at", "id")


def signals_for_client(*, user, organisation) -> QuerySet[Signal]:
    """Signals of the organisation's programmes (the active scope guarantees the tenant)."""
    return Signal.objects.filter(organisation=organisation).select_related(
        "category", "category__parent", "programme", "assigned_to", "reported_by"
    )


def signal_counts_for_client(*, user, organisation) -> dict[str, int]:
    """Open, urgent and overdue signals of the client, counted in one aggregate query.

    Urgent counts only open signals: a handled urgent signal no longer waits for anyone.
    Overdue means past the due date, which the category's handling time in working days set
    when the signal was reported (`Signal.is_overdue` uses the same rule).
    """
    return Signal.objects.filter(organisation=organisation, status__in=OPEN_STATUSES).aggregate(
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

"""A member confirms an open signal ("same as this one") instead of reporting it twice; a new
signal close to an open one of its category is stored all the same, flagged as possibly the
same (a signal queued on a phone while offline is never dropped)."""

import math

from django.core.exceptions import ValidationError
from django.db.models import ExpressionWrapper, F, FloatField, Subquery, Value
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Programme, TeamMember, User
from programmes.services.notifications import notices_mark_read

from ..models import Round, Signal, SignalConfirmation
from ..notifications import SIGNAL_STATUS
from ..workflow import OPEN_STATUSES
from .records import _member, _store_once

# How close an open signal of the same category is to count as the same thing, in metres.
SAME_PLACE_METRES = 50
_METRES_PER_DEGREE = 111_320


def near_open_signal(*, programme_id: int, category_id: int, latitude, longitude):
    """The nearest open signal of the category within `SAME_PLACE_METRES` of the position, as
    a subquery of its id (None without a position): the signal's own insert carries it, so
    the check costs the phone's request no query of its own. A box on the index
    "signal_open_same_category", then the distance (equirectangular: exact at this scale)."""
    if latitude is None or longitude is None:
        return None
    lat, lng = float(latitude), float(longitude)
    d_lat = SAME_PLACE_METRES / _METRES_PER_DEGREE
    shrink = max(math.cos(math.radians(lat)), 0.1)  # a degree of longitude here, in latitude's
    d_lng = d_lat / shrink
    north = ExpressionWrapper(F("latitude") - Value(lat), output_field=FloatField())
    east = ExpressionWrapper(
        (F("longitude") - Value(lng)) * Value(shrink), output_field=FloatField()
    )
    nearest = (
        Signal.objects.filter(
            programme_id=programme_id,
            category_id=category_id,
            status__in=OPEN_STATUSES,
            latitude__isnull=False,
            latitude__gte=round(lat - d_lat, 6),
            latitude__lte=round(lat + d_lat, 6),
            longitude__gte=round(lng - d_lng, 6),
            longitude__lte=round(lng + d_lng, 6),
        )
        .annotate(square=ExpressionWrapper(north * north + east * east, output_field=FloatField()))
        .filter(square__lte=d_lat * d_lat)
        .order_by("square", "-pk")
        .values("pk")[:1]
    )
    return Subquery(nearest)


def distance_metres(lat1, lng1, lat2, lng2) -> float:
    """The distance between two positions in metres (equirectangular: exact at this scale)."""
    lat1, lng1, lat2, lng2 = float(lat1), float(lng1), float(lat2), float(lng2)
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return math.hypot(x, y) * 6_371_000


def signal_confirm(
    *,
    actor: User,
    programme: Programme,
    uuid,
    signal: Signal,
    confirmed_at,
    note: str = "",
    round_: Round | None = None,
    member: TeamMember | None = None,
):
    """Record that `actor` saw `signal` again; returns (confirmation, created). Once per
    member per round: a second confirmation in the same round answers with the first."""
    _member(programme=programme, user=actor, ready=True, member=member)
    if signal.programme_id != programme.pk:
        raise ValidationError({"signal": _("This signal belongs to another team.")})
    if signal.status not in OPEN_STATUSES:
        raise ValidationError({"signal": _("This signal has been dealt with already.")})
    if round_ is not None and round_.programme_id != programme.pk:
        raise ValidationError({"round": _("This round belongs to another team.")})
    payload = {
        "programme": programme.pk,
        "signal": str(signal.uuid),
        "confirmed_at": confirmed_at.isoformat(),
        "note": note,
        "round": str(round_.uuid) if round_ else None,
    }
    earlier = SignalConfirmation.objects.filter(signal=signal, member=actor, round=round_)
    if round_ is not None and (found := earlier.first()) is not None and found.uuid != uuid:
        return found, False

    def create(digest):
        confirmation = SignalConfirmation(
            uuid=uuid,
            payload_hash=digest,
            organisation=programme.organisation,
            signal=signal,
            member=actor,
            round=round_,
            confirmed_at=confirmed_at,
            note=note.strip(),
        )
        confirmation.full_clean(
            exclude=["organisation", "signal", "member", "round"], validate_unique=False
        )
        confirmation.save()
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="signal.confirmed",
            obj=signal,
        )
        return confirmation

    return _store_once(SignalConfirmation, uuid=uuid, payload=payload, create=create)


def signal_notices_read(*, user: User, signal: Signal) -> int:
    """The reporter has looked at their signal: its notices of a new status are read."""
    return notices_mark_read(
        user=user, kind=SIGNAL_STATUS, dedupe_prefix=f"signal-status:{signal.pk}:"
    )

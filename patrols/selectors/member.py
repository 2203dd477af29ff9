"""Reads of the team member's phone app: their programme, mates, slots, signals, documents."""

from django.db.models import (
    Count,
    F,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone

from programmes.models import Document, Notification, Programme, User
from programmes.selectors import (
    roster,
    schedulable_members,
    team_memberships_for,
)

from ..models import (
    RELEASED_REVIEWS,
    Round,
    RoundSlot,
    Signal,
    SignalCategory,
    SignalConfirmation,
    SignalEvent,
    SignalPhoto,
)
from ..models_handoff import Handoff
from ..notifications import SIGNAL_STATUS
from ..workflow import OPEN_STATUSES


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
    """The other members of the programme's team who can be scheduled now (roster rows with
    their user; not paused, not left), by name: whom `user` may walk a round with."""
    return schedulable_members(programme=programme).exclude(user=user)


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
    """The signal `user` reported under this phone-made id; 404 otherwise. With its category
    (its name is the signal's name in the audit entry of a photo added to it)."""
    found = (
        Signal.objects.filter(uuid=uuid, reported_by=user)
        .select_related("category__parent")
        .first()
    )
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
    """A signal's status history, oldest first, as its reporter reads it: each change of
    status with the client's note. A row that only handed the signal to a colleague (the
    status stayed) is the client's own business and is left out, note and all."""
    return (
        signal.events.exclude(from_status=F("to_status"))
        .select_related("actor__organisation")
        .order_by("created_at", "id")
    )


def signal_handed_over_at(*, signal: Signal):
    """When the signal first reached the client's own system (a delivered hand-off), or
    None; nothing of the channel or its errors is read."""
    return (
        Handoff.objects.filter(signal=signal, state=Handoff.State.DELIVERED)
        .order_by("delivered_at")
        .values_list("delivered_at", flat=True)
        .first()
    )


def changed_signal_ids(*, user) -> set[int]:
    """The ids of `user`'s signals whose status changed since they last looked: those with
    an unread in-app notice of a new status (one query, however many signals)."""
    keys = Notification.objects.filter(
        recipient=user, kind=SIGNAL_STATUS, read_at__isnull=True, in_app=True
    ).values_list("dedupe_key", flat=True)
    found = set()
    for key in keys:  # "signal-status:<pk>:<from>:<to>:<moment>"
        parts = key.split(":")
        if len(parts) > 1 and parts[1].isdigit():
            found.add(int(parts[1]))
    return found


def confirmation_counts(*, signals) -> dict[int, int]:
    """How often each of these signals was confirmed by a member ("same as this one")."""
    return dict(
        SignalConfirmation.objects.filter(signal__in=[s.pk for s in signals])
        .values("signal")
        .annotate(n=Count("pk"))
        .values_list("signal", "n")
    )


def signal_photos(*, signal: Signal, released_only: bool = False) -> QuerySet[SignalPhoto]:
    """The photos of a signal the caller has already been allowed to see; `released_only`:
    only those processed and reviewed (what the client's staff see,
    `patrols.services.photo_review`)."""
    photos = signal.photos.all()
    if released_only:
        photos = photos.filter(status=SignalPhoto.Status.READY, review__in=RELEASED_REVIEWS)
    return photos


def get_signal_photo(*, signal: Signal, pk, released_only: bool = False) -> SignalPhoto:
    """One photo of a signal the caller may see; 404 for a photo of another signal (and,
    with `released_only`, for one not reviewed yet)."""
    found = signal_photos(signal=signal, released_only=released_only).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# How many open signals the round screen lists: the newest of the area, enough to spot one.
OPEN_NEARBY_LIMIT = 30


def open_signals_near(*, programme: Programme, limit: int = OPEN_NEARBY_LIMIT) -> list[Signal]:
    """The programme's open signals with a position, newest first, at most `limit`, each with
    its confirmation count: what the team may see again on a round (the index
    "signal_open_placed" serves it; the phone sorts them by distance)."""
    return list(
        Signal.objects.filter(programme=programme, status__in=OPEN_STATUSES, latitude__isnull=False)
        .select_related("category__parent")
        .annotate(n_confirmed=Count("confirmations"))
        .order_by("-reported_at", "-id")[:limit]
    )


# The confirmations a signal's page lists (the count is of all of them).
CONFIRMATIONS_SHOWN = 50


def signal_confirmations(*, signal: Signal) -> list[SignalConfirmation]:
    """The newest confirmations of a signal the caller may see, newest first."""
    return list(signal.confirmations.order_by("-confirmed_at", "-id")[:CONFIRMATIONS_SHOWN])


def get_open_signal_by_uuid(*, programme: Programme, uuid) -> Signal | None:
    """The programme's open signal with this phone-made id, or None."""
    return Signal.objects.filter(programme=programme, uuid=uuid, status__in=OPEN_STATUSES).first()

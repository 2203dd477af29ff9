"""Reads of the patrols app that take the acting user."""

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from programmes.models import Programme, TeamMember

from .models import Round, RoundSlot, Signal, SignalCategory, SignalEvent


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

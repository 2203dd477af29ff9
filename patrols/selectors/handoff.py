"""Reads of the hand-off: a client's channels and routes, a signal's hand-offs with their
attempts, and what the inbound status endpoint looks up (inside the URL's tenant scope)."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from programmes.models import Organisation, Programme
from programmes.selectors import colleagues_for

from ..models import Signal, SignalCategory
from ..models_handoff import CategoryRoute, Department, Handoff, HandoffAttempt, HandoffChannel


def channels_for(*, organisation: Organisation) -> QuerySet[HandoffChannel]:
    """The client's channels, with how many hand-offs each has in each state."""
    return HandoffChannel.objects.filter(organisation=organisation).order_by("-is_active", "name")


def get_channel_for(*, organisation: Organisation, pk: int) -> HandoffChannel:
    """One channel of the client; 404 for a missing one and for another's."""
    found = HandoffChannel.objects.filter(organisation=organisation, pk=pk).first()
    if found is None:
        raise Http404
    return found


def routes_for_client(*, organisation: Organisation) -> QuerySet[CategoryRoute]:
    """The client's routes, with what they name, for the settings page."""
    return (
        CategoryRoute.objects.filter(organisation=organisation)
        .select_related(
            "programme", "category", "category__parent", "channel", "assign_to", "assign_department"
        )
        .order_by("programme__name", "category__name", "id")
    )


def get_route_for(*, organisation: Organisation, pk: int) -> CategoryRoute:
    """One route of the client; 404 for a missing one and for another's."""
    found = CategoryRoute.objects.filter(organisation=organisation, pk=pk).first()
    if found is None:
        raise Http404
    return found


def departments_for(*, organisation: Organisation) -> QuerySet[Department]:
    """The client's departments with their members, for the settings page and routes."""
    return (
        Department.objects.filter(organisation=organisation)
        .prefetch_related("members")
        .order_by("name", "id")
    )


def get_department_for(*, organisation: Organisation, pk: int) -> Department:
    """One department of the client; 404 for a missing one and for another's."""
    found = Department.objects.filter(organisation=organisation, pk=pk).first()
    if found is None:
        raise Http404
    return found


def route_choices(*, user, organisation: Organisation):
    """What a route is made of: (programmes, categories, colleagues) of the client."""
    programmes = Programme.objects.filter(organisation=organisation).order_by("name")
    categories = (
        SignalCategory.objects.filter(organisation=organisation, is_active=True)
        .select_related("parent", "programme")
        .order_by("programme__name", "parent__name", "name")
    )
    return programmes, categories, colleagues_for(user=user, organisation=organisation)


def mappable_categories(*, organisation: Organisation) -> list[SignalCategory]:
    """The client's active categories, per team, for the Open311 service mapping."""
    return list(
        SignalCategory.objects.filter(organisation=organisation, is_active=True)
        .select_related("parent", "programme")
        .order_by("programme__name", "programme_id", "parent__name", "parent_id", "name")
    )


def signal_handoffs(*, signal: Signal) -> list[Handoff]:
    """A signal's hand-offs with their attempts, for its page."""
    return list(
        Handoff.objects.filter(signal=signal)
        .select_related("channel")
        .prefetch_related(
            Prefetch("log", queryset=HandoffAttempt.objects.order_by("started_at", "id"))
        )
        .order_by("created_at", "id")
    )


def get_inbound_channel(*, pk: int) -> HandoffChannel | None:
    """An active webhook channel of the tenant in scope (the URL's), or None."""
    return HandoffChannel.objects.filter(
        pk=pk, kind=HandoffChannel.Kind.WEBHOOK, is_active=True
    ).first()


def handoff_of(*, channel: HandoffChannel, signal_id: int) -> Handoff | None:
    """The hand-off of that signal to this channel: a channel only speaks for the signals
    it was given (None for any other, another tenant's included)."""
    return (
        Handoff.objects.filter(channel=channel, signal_id=signal_id)
        .select_related("signal", "signal__organisation", "signal__programme")
        .first()
    )


def get_handoff_for(*, organisation: Organisation, signal_pk: int, pk: int) -> Handoff:
    """One hand-off of one of the client's signals; 404 for a missing one and for another's."""
    found = (
        Handoff.objects.filter(organisation=organisation, signal_id=signal_pk, pk=pk)
        .select_related("channel", "signal")
        .first()
    )
    if found is None:
        raise Http404
    return found

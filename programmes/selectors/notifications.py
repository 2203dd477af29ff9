"""Reads of a person's notifications: their list, one of them by id, the unread count of the
badge and their choices per kind. Each filters on the acting user as recipient, so nobody
reads another person's notification, in any tenant."""

from django.db.models import F, QuerySet
from django.http import Http404
from django_scopes import scopes_disabled

from ..models import Notification, NotificationPreference
from ..notification_kinds import notification_kinds
from .accounts import organisations_for

# The badge counts up to this many ("99+"): the count stays cheap however many are unread.
UNREAD_CAP = 99


def notifications_for(*, user) -> QuerySet[Notification]:
    """The user's notifications shown in the app: unread first, each part newest first."""
    return Notification.objects.filter(recipient=user, in_app=True).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


def get_notification_for(*, user, pk) -> Notification:
    """One of the user's own notifications; 404 when missing or someone else's."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = Notification.objects.filter(recipient=user, in_app=True, pk=pk).first()
    if found is None:
        raise Http404
    return found


def unread_count(*, user) -> int:
    """How many of the user's notifications are unread, counted up to UNREAD_CAP + 1: one
    COUNT over a LIMIT on the partial "unread" index, every page shows it. Counted over every
    organisation the user may see (a subquery in the same statement), so the badge says the
    same on every page, whichever tenant the page is in."""
    with scopes_disabled():  # the organisations are named in the filter itself
        return (
            Notification.objects.filter(
                recipient=user,
                in_app=True,
                read_at__isnull=True,
                organisation__in=organisations_for(user=user).values("pk"),
            )
            .order_by()[: UNREAD_CAP + 1]
            .count()
        )


def preferences_for(*, user) -> list[tuple]:
    """(kind, preference row or None) for every registered kind the user's role may have."""
    rows = {row.kind: row for row in NotificationPreference.objects.filter(user=user)}
    return [(kind, rows.get(kind.code)) for kind in notification_kinds(user=user)]

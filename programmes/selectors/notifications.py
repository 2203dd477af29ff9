"""Reads of a person's notifications: their list, one of them by id, the unread count of the
badge and their choices per kind. Each filters on the acting user as recipient, so nobody
reads another person's notification, in any tenant."""

from django.core.cache import cache
from django.db.models import F, QuerySet
from django.http import Http404
from django_scopes import scope

from ..models import Notification, NotificationPreference
from ..notification_kinds import notification_kinds
from .accounts import organisation_ids_for

# The badge counts up to this many ("99+"): the count stays cheap however many are unread.
UNREAD_CAP = 99
# Every page shows the badge: its count is kept this long in the cache, and forgotten when a
# notification is written or read (services.notifications.unread_forget), so a page costs no
# query for it; the time bounds what a process that missed a forget can show.
UNREAD_CACHE_SECONDS = 60


def unread_cache_key(user_id: int) -> str:
    """The cache key of a user's unread count."""
    return f"notifications:unread:{user_id}"


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
    """How many of the user's notifications are unread, counted up to UNREAD_CAP + 1 (one
    COUNT over a LIMIT on the partial "unread" index), from the cache when it holds the
    count. Counted in the scope of every organisation the user may see, so the badge says
    the same on every page."""
    key = unread_cache_key(user.pk)
    count = cache.get(key)
    if count is None:
        with scope(organisation=organisation_ids_for(user=user)):
            count = (
                Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True)
                .order_by()[: UNREAD_CAP + 1]
                .count()
            )
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def preferences_for(*, user) -> list[tuple]:
    """(kind, preference row or None) for every registered kind the user's role may have."""
    rows = {row.kind: row for row in NotificationPreference.objects.filter(user=user)}
    return [(kind, rows.get(kind.code)) for kind in notification_kinds(user=user)]

"""Reads of the activities members log besides rounds."""

from django.db.models import QuerySet

from programmes.models import Programme

from ..models import Activity


def own_activities(*, user, programme: Programme) -> QuerySet[Activity]:
    """The activities `user` logged in `programme`, newest first (the member's own list)."""
    return Activity.objects.filter(programme=programme, user=user).order_by("-date", "-id")


def activities_of_programme(*, programme: Programme, start, end) -> QuerySet[Activity]:
    """A programme's activities dated in [start, end), newest first, with who logged them
    (the project leader's effort overview)."""
    return (
        Activity.objects.filter(programme=programme, date__gte=start, date__lt=end)
        .select_related("user")
        .order_by("-date", "-id")
    )

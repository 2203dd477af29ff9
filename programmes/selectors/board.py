"""Reads of the team's notice board."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from ..models import Programme, TeamMessage, TeamMessageRecipient


def board_for_member(*, user, programme: Programme) -> QuerySet[TeamMessage]:
    """The messages on the board of `programme` that `user` may read, newest first: those to
    the whole team, and those to chosen members that were addressed to them. Each carries
    `read_at` (when they first saw it; None: new). Nothing about the other recipients."""
    mine = TeamMessageRecipient.objects.filter(message=OuterRef("pk"), user=user)
    return (
        TeamMessage.objects.filter(programme=programme)
        .filter(Q(audience=TeamMessage.Audience.TEAM) | Q(Exists(mine)))
        .annotate(read_at=Subquery(mine.values("read_at")[:1]))
        .select_related("author")
        .only("subject", "body", "audience", "created_at", "programme_id", "author__name")
        .order_by("-created_at", "-id")
    )


def team_messages_of(*, programme: Programme) -> QuerySet[TeamMessage]:
    """A programme's messages for its project leader, newest first, with how many members each
    was for, how many were mailed and how many read it."""
    return (
        TeamMessage.objects.filter(programme=programme)
        .select_related("author")
        .annotate(
            n_recipients=Count("recipients"),
            n_mailed=Count("recipients", filter=Q(recipients__mailed_at__isnull=False)),
            n_read=Count("recipients", filter=Q(recipients__read_at__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )

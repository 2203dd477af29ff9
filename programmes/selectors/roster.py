"""The team roster and the team member's programme.

Every app reads the roster through these, so "who is on the team" means one thing: an active
roster row (a member who left, `is_active=False`, no longer counts), unless a caller asks for
history on purpose with `include_inactive=True`.
"""

from django.db.models import QuerySet

from ..models import Programme, TeamMember


def roster(*, programme: Programme, include_inactive: bool = False) -> QuerySet[TeamMember]:
    """The roster rows of `programme`, with their user, by name."""
    qs = TeamMember.objects.filter(programme=programme)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.select_related("user").order_by("user__name", "pk")


def schedulable_members(*, programme: Programme, on=None) -> QuerySet[TeamMember]:
    """The members who are asked to take part now (or on the date `on`): invited to team
    meetings, reminded, held to the effort obligation. One function, so "who is scheduled"
    means one thing; today every active roster row (a member who left is not)."""
    return roster(programme=programme)


def roster_member(*, programme: Programme, user, include_inactive: bool = False):
    """The roster row of `user` in `programme`, or None."""
    if user is None or not getattr(user, "pk", None):
        return None
    return roster(programme=programme, include_inactive=include_inactive).filter(user=user).first()


def is_on_roster(*, programme: Programme, user, include_inactive: bool = False) -> bool:
    """Whether `user` is on the team of `programme` (by default: still active)."""
    if user is None or not getattr(user, "pk", None):
        return False
    return roster(programme=programme, include_inactive=include_inactive).filter(user=user).exists()


# --- The team member's programme --------------------------------------------------------

TEAM_PROGRAMME_SESSION_KEY = "team_programme"


def team_memberships_for(*, user) -> list[TeamMember]:
    """The active roster rows of `user` in the active scope, with their programme, by name."""
    return list(
        TeamMember.objects.filter(user=user, is_active=True)
        .select_related("programme")
        .order_by("programme__name", "programme_id")
    )


def current_membership(*, user, session, memberships=None):
    """The roster row the team member works in now: the programme they chose (kept in the
    session), or their only one. None when they have none, or several and have not chosen
    yet (then the app asks them to choose instead of picking one for them)."""
    if memberships is None:
        memberships = team_memberships_for(user=user)
    chosen = session.get(TEAM_PROGRAMME_SESSION_KEY)
    for member in memberships:
        if member.programme_id == chosen:
            return member
    return memberships[0] if len(memberships) == 1 else None

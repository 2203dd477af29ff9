"""The team roster and the team member's programme.

Every app reads the roster through these, so "who is on the team" means one thing: an active
roster row (a member who left, `is_active=False`, no longer counts), unless a caller asks for
history on purpose with `include_inactive=True`.
"""

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When
from django.http import Http404

from ..models import MembershipEvent, Programme, ProgrammeClosure, TeamMember
from ..workflow import MembershipState


def roster(*, programme: Programme, include_inactive: bool = False) -> QuerySet[TeamMember]:
    """The roster rows of `programme`, with their user, by name."""
    qs = TeamMember.objects.filter(programme=programme)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.select_related("user").order_by("user__name", "pk")


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
    """The active roster rows of `user` in the active scope, with their programme, by name.
    Whether each programme was closed is read in the same query and kept on the programme
    (`programmes.closure.is_closed` asks it without a query of its own)."""
    members = list(
        TeamMember.objects.filter(user=user, is_active=True)
        .select_related("programme")
        .annotate(
            programme_closed=Exists(
                ProgrammeClosure.objects.filter(programme_id=OuterRef("programme_id"))
            )
        )
        .order_by("programme__name", "programme_id")
    )
    for member in members:
        member.programme._closed = member.programme_closed
    return members


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


# --- Who is scheduled, reminded and held to the effort obligation ------------------------


def schedulable_members(*, programme, on=None) -> QuerySet[TeamMember]:
    """The members of `programme` who can be scheduled, reminded and counted now (or on the
    date `on`): on the roster and active, not paused (holiday, illness) and not left; on a
    later date also those whose pause has ended by then. Rounds are planned with and reminded
    to these, meeting invitations for the whole team go to these, and the effort obligation
    is measured against these (`members_excused` says who was paused in a past month).
    `programme` is a Programme or its id. Whether a member may walk rounds yet is a separate
    matter (`TeamMember.ready_for_rounds`)."""
    available = Q(state=MembershipState.ACTIVE)
    if on is not None:
        available |= Q(state=MembershipState.PAUSED, paused_until__lt=on)
    return (
        TeamMember.objects.filter(available, programme=programme, is_active=True)
        .select_related("user")
        .order_by("user__name", "pk")
    )


def is_schedulable(member: TeamMember | None) -> bool:
    """Whether this roster row is one `schedulable_members` would list."""
    return bool(member and member.is_active and member.state == MembershipState.ACTIVE)


def members_excused(*, programme_ids, start, end) -> set[tuple[int, int]]:
    """(programme id, user id) of the members who were paused or had left at some moment
    in [start, end) (aware datetimes): they are not held to the effort obligation for that
    period, whether or not they are back now. See `members_excused_by_period`."""
    return members_excused_by_period(programme_ids=programme_ids, periods=[(start, end)])[0]


def members_excused_by_period(*, programme_ids, periods) -> list[set[tuple[int, int]]]:
    """For each period [start, end) in `periods` (aware datetimes), the (programme id, user
    id) of the members not active for all of it: paused or gone at its start, or paused or
    leaving within it. Read from the membership history in two queries, however many
    periods and members."""
    ids = [getattr(p, "pk", p) for p in programme_ids]
    if not periods:
        return []
    last_end = max(end for _start, end in periods)
    steps = list(
        MembershipEvent.objects.filter(member__programme_id__in=ids, at__lt=last_end)
        .values_list("member__programme_id", "member__user_id", "to_state", "at")
        .order_by("at", "pk")
    )
    # Members paused or gone with no step in their history (set before it was kept).
    unrecorded = set(
        TeamMember.objects.filter(programme_id__in=ids, events__isnull=True)
        .exclude(state=MembershipState.ACTIVE)
        .values_list("programme_id", "user_id")
    )
    out = []
    for start, end in periods:
        state_at_start: dict = {}
        excused = set(unrecorded)
        for programme_id, user_id, to_state, at in steps:
            if at >= end:
                break
            key = (programme_id, user_id)
            if at < start:
                state_at_start[key] = to_state
            elif to_state != MembershipState.ACTIVE:
                excused.add(key)
        excused |= {k for k, state in state_at_start.items() if state != MembershipState.ACTIVE}
        out.append(excused)
    return out


# --- The team page of the project leader -------------------------------------------------


def team_rows(*, programme: Programme) -> QuerySet[TeamMember]:
    """Everyone who is or was on the team of `programme`: on the team first (active, then
    paused), then who left, each by name."""
    order = Case(
        When(state=MembershipState.ACTIVE, then=0),
        When(state=MembershipState.PAUSED, then=1),
        default=2,
    )
    return (
        TeamMember.objects.filter(programme=programme)
        .select_related("user")
        .order_by(order, "user__name", "pk")
    )


def get_team_member_for(*, programme: Programme, pk: int) -> TeamMember:
    """The roster row with this id in `programme` (also one who left); 404 otherwise, also
    for another programme's or another client's."""
    found = TeamMember.objects.filter(programme=programme, pk=pk).select_related("user").first()
    if found is None:
        raise Http404
    return found


def membership_history(*, member: TeamMember) -> QuerySet[MembershipEvent]:
    """The steps of a membership, newest first, with who took them."""
    return member.events.select_related("actor").order_by("-at", "-pk")

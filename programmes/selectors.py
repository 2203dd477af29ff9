"""Reads that take the acting user.

Fetching by a URL id goes through `get_<thing>_for(user=..., ...)`, which answers 404 both for
"missing" and for "not yours", so an outsider cannot tell the two apart.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from .models import (
    PHASE_ORDER,
    PROGRESS_PHASE,
    AuditEntry,
    Document,
    Invitation,
    Invitee,
    Meeting,
    Milestone,
    Organisation,
    OutboxMessage,
    Phase,
    Programme,
    ProgressEvent,
    User,
)
from .permissions import Perm, Role, has_perm


def organisations_for(*, user) -> QuerySet[Organisation]:
    """The active organisations `user` may see: a consultancy admin sees the consultancy and all
    its clients, a project leader the consultancy and the clients assigned to them, everyone
    else only their own organisation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Organisation.objects.none()
    qs = Organisation.objects.filter(is_active=True)
    if user.role == Role.CONSULTANCY_ADMIN:
        return qs.filter(Q(pk=user.organisation_id) | Q(consultancy_id=user.organisation_id))
    if user.role == Role.PROJECT_LEADER:
        return qs.filter(
            Q(pk=user.organisation_id)
            | Q(consultancy_id=user.organisation_id, project_leaders=user)
        ).distinct()
    return qs.filter(pk=user.organisation_id)


def organisation_ids_for(*, user) -> list[int]:
    """The ids of `organisations_for`, cached on the user object for the request."""
    cached = getattr(user, "_organisation_ids", None)
    if cached is None:
        cached = list(organisations_for(user=user).values_list("pk", flat=True))
        user._organisation_ids = cached
    return cached


def get_organisation_for(*, user, slug: str) -> Organisation:
    """The organisation with this slug if `user` may see it; 404 otherwise."""
    org = organisations_for(user=user).filter(slug=slug).first()
    if org is None:
        raise Http404
    return org


def clients_for(*, user) -> QuerySet[Organisation]:
    """The client organisations (not the consultancy) `user` may see, for the workspace."""
    return organisations_for(user=user).exclude(kind=Organisation.Kind.CONSULTANCY)


def users_for(*, user) -> QuerySet[User]:
    """Accounts in the organisations `user` may see."""
    return (
        User.objects.filter(organisation__in=organisation_ids_for(user=user))
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def people_who_may(*, user, perm) -> QuerySet[User]:
    """The active people of the user's own organisation whose role grants `perm`: whom to ask
    when the user may not do it themselves (e.g. who can add a client)."""
    from .permissions import roles_with

    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    return User.objects.filter(
        organisation_id=user.organisation_id, role__in=roles_with(perm), is_active=True
    ).order_by("name")


def get_user_for(*, user, pk: int) -> User:
    found = users_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def invitations_for(*, user) -> QuerySet[Invitation]:
    """Invitations in the active scope (the user's organisations), newest first."""
    return Invitation.objects.select_related("organisation", "invited_by").order_by("-created_at")


def get_invitation_for(*, user, pk: int) -> Invitation:
    found = invitations_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def audit_entries_for(*, user) -> QuerySet[AuditEntry]:
    """Audit entries in the active scope, newest first, with their actor and organisation."""
    return AuditEntry.objects.select_related("actor", "organisation")


# --- Programmes -------------------------------------------------------------------------


def programmes_for(*, user) -> QuerySet[Programme]:
    """Programmes `user` may see within the active scope: a project leader those they lead,
    client staff their organisation's, a consultancy admin all of the consultancy's."""
    qs = Programme.objects.select_related("organisation")
    if user.role == Role.PROJECT_LEADER:
        return qs.filter(project_leaders=user)
    if user.role in (Role.CLIENT_STAFF, Role.TEAM_MEMBER):
        return qs.filter(organisation_id=user.organisation_id)
    return qs


def get_programme_for(*, user, pk: int, organisation=None) -> Programme:
    qs = programmes_for(user=user)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def may_manage_programme(*, user, programme: Programme) -> bool:
    """Whether `user` is logged in and may manage `programme` (its project leader, or a
    consultancy admin): such a user is not held to the limits of its public pages."""
    if not has_perm(user, Perm.PROGRAMME_MANAGE):
        return False
    return programmes_for(user=user).filter(pk=programme.pk).exists()


@dataclass
class PlanStatus:
    total: int = 0
    done: int = 0
    overdue: int = 0
    phase: str = Phase.PREPARATION
    next_meeting: Meeting | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label


def plan_status(milestones, events=()) -> PlanStatus:
    """Progress, overdue count and current phase from an iterable of milestones (or rows with
    phase, done_at and due_date) and the programme's recorded progress events (`Progress`
    values): the current phase is the earliest with open milestones, but never before the
    phase that what already happened puts the programme in (a selected team is in training
    even when nobody ticked the recruitment milestones)."""
    today = timezone.localdate()
    status = PlanStatus()
    open_phases = []
    for m in milestones:
        status.total += 1
        if m.done_at:
            status.done += 1
        else:
            open_phases.append(m.phase)
            if m.due_date < today:
                status.overdue += 1
    if open_phases:
        status.phase = min(open_phases, key=PHASE_ORDER.__getitem__)
    elif status.total:
        status.phase = Phase.GUIDANCE
    floors = [PROGRESS_PHASE[e] for e in events if e in PROGRESS_PHASE]
    if floors:
        floor = max(floors, key=PHASE_ORDER.__getitem__)
        if PHASE_ORDER[floor] > PHASE_ORDER[status.phase]:
            status.phase = floor
    return status


def programme_status(programme: Programme, milestones=None) -> PlanStatus:
    """`plan_status` of one programme, from its milestones and its recorded progress."""
    if milestones is None:
        milestones = programme.milestones.only("phase", "done_at", "due_date")
    events = programme.progress_events.values_list("event", flat=True)
    return plan_status(milestones, list(events))


def programme_overview(programmes: list[Programme]) -> dict[int, PlanStatus]:
    """Plan status and next meeting for many programmes in three queries, not three per row."""
    ids = [p.pk for p in programmes]
    rows = defaultdict(list)
    for row in Milestone.objects.filter(programme_id__in=ids).only(
        "programme_id", "phase", "done_at", "due_date"
    ):
        rows[row.programme_id].append(row)
    events = defaultdict(list)
    for programme_id, event in ProgressEvent.objects.filter(programme_id__in=ids).values_list(
        "programme_id", "event"
    ):
        events[programme_id].append(event)
    result = {pk: plan_status(rows[pk], events[pk]) for pk in ids}
    for meeting in Meeting.objects.filter(
        programme_id__in=ids, starts_at__gte=timezone.now()
    ).order_by("starts_at"):
        status = result[meeting.programme_id]
        if status.next_meeting is None:
            status.next_meeting = meeting
    return result


def meetings_for_programme(*, programme: Programme, upcoming_only: bool = False):
    qs = programme.meetings.select_related("organisation").annotate(
        n_accepted=Count("invitees", filter=Q(invitees__status="accepted")),
        n_guests=Sum("invitees__guests", filter=Q(invitees__status="accepted")),
        n_waiting=Count("invitees", filter=Q(invitees__status="waitlisted")),
        n_invited=Count("invitees"),
    )
    if upcoming_only:
        qs = qs.filter(ends_at__gte=timezone.now())
    return qs.order_by("starts_at")


def get_meeting_for(*, programme: Programme, pk: int) -> Meeting:
    found = programme.meetings.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_milestone_for(*, programme: Programme, pk: int) -> Milestone:
    found = programme.milestones.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_invitee_for(*, meeting: Meeting, pk: int) -> Invitee:
    found = meeting.invitees.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_document_for(*, programme: Programme, pk: int) -> Document:
    found = programme.documents.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def outbox_for_programme(*, programme: Programme):
    return OutboxMessage.objects.filter(programme=programme).order_by("-created_at", "-id")


# --- The team roster -------------------------------------------------------------------
# Every app reads the roster through these, so "who is on the team" means one thing: an active
# roster row (a member who left, `is_active=False`, no longer counts), unless a caller asks
# for history on purpose with `include_inactive=True`.


def roster(*, programme: Programme, include_inactive: bool = False) -> QuerySet:
    """The roster rows of `programme`, with their user, by name."""
    from .models import TeamMember

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


def team_memberships_for(*, user) -> list:
    """The active roster rows of `user` in the active scope, with their programme, by name."""
    from .models import TeamMember

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


# --- Mail of the whole consultancy ------------------------------------------------------

INVITATION_MAIL_TEMPLATE = "programmes/invitation"


def outbox_for(*, user, status: str = "", without_programme: bool = False):
    """Mail of every organisation in the active scope (the consultancy and its clients),
    newest first; `status` filters through the (status, created_at) index. Mail that belongs
    to no programme (invitations, login codes, password resets) shows only here."""
    qs = OutboxMessage.objects.select_related("organisation", "programme")
    if status:
        qs = qs.filter(status=status)
    if without_programme:
        qs = qs.filter(programme__isnull=True)
    return qs.order_by("-created_at", "-id")


def get_outbox_message_for(*, user, pk: int) -> OutboxMessage:
    found = outbox_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def failed_invitation_mail(*, invitations) -> dict[int, OutboxMessage]:
    """{invitation id: its failed mail} for the invitations whose latest invitation mail
    failed; one query for the whole list."""
    invitations = list(invitations)
    if not invitations:
        return {}
    emails = {inv.email for inv in invitations}
    since = min(inv.created_at for inv in invitations)
    latest: dict[tuple[int, str], list[OutboxMessage]] = defaultdict(list)
    for message in OutboxMessage.objects.filter(
        template=INVITATION_MAIL_TEMPLATE, to_email__in=emails, created_at__gte=since
    ).order_by("created_at", "id"):
        latest[(message.organisation_id, message.to_email)].append(message)
    failed = {}
    for inv in invitations:
        mine = [
            m for m in latest[(inv.organisation_id, inv.email)] if m.created_at >= inv.created_at
        ]
        if mine and mine[-1].status == OutboxMessage.Status.FAILED:
            failed[inv.pk] = mine[-1]
    return failed

"""Membership over time: a member pauses (a holiday, an illness, until a date), resumes, leaves
(the date, a reason, whether the gear came back) and rejoins; a member asks to stop.

Each move goes through `workflow_transition` with the table in `programmes.workflow`, so it
is checked in one place, appended to the member's history (`MembershipEvent`) and audited.
`TeamMember.is_active` ("on the team": active or paused) is set in the same step, so every
reader of the roster stays right. A member who is paused or has left is not scheduled, not
reminded and not held to the effort obligation (`programmes.selectors.schedulable_members`,
`programmes.selectors.members_excused`); their past rounds and signals stay theirs.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..audit import audit_log
from ..models import MembershipEvent, TeamMember, User
from ..permissions import Role
from ..workflow import MembershipState, check_membership_transition
from .common import apply_changes
from .notifications import notify_on_commit
from .workflow import Workflow, workflow_transition

MEMBERSHIP_WORKFLOW = Workflow(
    state="state",
    history=MembershipEvent,
    subject="member",
    from_field="from_state",
    to_field="to_state",
    action="membership",
)

# The notification kind of a member's request to stop (registered in apps.py).
STOP_REQUEST_KIND = "membership.stop_request"
# A pause is planned at most this far ahead (a long illness is paused again).
MAX_PAUSE_DAYS = 366
REASON_MAX = 300
MESSAGE_MAX = 500


def _locked(member: TeamMember) -> TeamMember:
    return (
        TeamMember.objects.select_for_update().select_related("programme", "user").get(pk=member.pk)
    )


def _set_one(actor, member: TeamMember, field: str, value, action: str) -> TeamMember:
    """Set one field of a locked member and log `action` with the new value, when it
    changed."""
    if apply_changes(member, {field: value}, allowed=(field,)):
        member.save(update_fields=[field])
        audit_log(
            actor=actor,
            organisation=member.organisation,
            action=action,
            obj=member,
            data={field: value},
        )
    return member


def _text(value: str, *, field: str, limit: int) -> str:
    """A free text stripped and bounded; NUL bytes are refused (the forms refuse them first)."""
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("This text contains a character that is not allowed.")})
    if len(value) > limit:
        raise ValidationError({field: _("Keep it to %(limit)s characters.") % {"limit": limit}})
    return value


@transaction.atomic
def membership_pause(
    *, actor: User, member: TeamMember, until: dt.date, reason: str = "", today=None
) -> TeamMember:
    """Pause a member until and including `until` (the member themselves, or their project
    leader); a paused member may move the end date by pausing again. From the day after,
    the beat's `membership_pauses_end` makes them active again."""
    today = today or timezone.localdate()
    if until is None or until < today:
        raise ValidationError({"until": _("Choose an end date from today on.")})
    if until > today + dt.timedelta(days=MAX_PAUSE_DAYS):
        raise ValidationError({"until": _("A pause lasts a year at most.")})
    reason = _text(reason, field="reason", limit=REASON_MAX)
    member = _locked(member)
    workflow_transition(
        workflow=MEMBERSHIP_WORKFLOW,
        obj=member,
        actor=actor,
        new=MembershipState.PAUSED,
        check=check_membership_transition,
        fields={"paused_until": until},
        allowed=("paused_until",),
        history={"until": until, "reason": reason},
        data={"from": member.state, "until": until.isoformat()},
    )
    return member


@transaction.atomic
def membership_resume(*, actor: User | None, member: TeamMember, reason: str = "") -> TeamMember:
    """End a member's pause: they are scheduled, reminded and counted again."""
    member = _locked(member)
    if member.state != MembershipState.PAUSED:
        raise ValidationError(_("Only a paused member can resume."))
    workflow_transition(
        workflow=MEMBERSHIP_WORKFLOW,
        obj=member,
        actor=actor,
        new=MembershipState.ACTIVE,
        check=check_membership_transition,
        fields={"paused_until": None},
        allowed=("paused_until",),
        history={"reason": _text(reason, field="reason", limit=REASON_MAX)},
        action="membership.resumed",
    )
    return member


@transaction.atomic
def membership_leave(
    *,
    actor: User | None,
    member: TeamMember,
    left_on: dt.date | None = None,
    reason: str = "",
    gear_returned: bool = False,
    today=None,
) -> TeamMember:
    """Record that a member left the team on `left_on` (today by default; not in the future,
    at most a year back), why, and whether the gear came back. The roster row stays: their
    rounds, signals and certificates keep pointing at it. `membership_rejoin` brings them back."""
    today = today or timezone.localdate()
    left_on = left_on or today
    if left_on > today:
        raise ValidationError({"left_on": _("Record a leave on the day it happened, not ahead.")})
    if left_on < today - dt.timedelta(days=366):
        raise ValidationError({"left_on": _("Choose a date in the past year.")})
    reason = _text(reason, field="reason", limit=REASON_MAX)
    member = _locked(member)
    left_at = timezone.make_aware(dt.datetime.combine(left_on, dt.time(12)))
    workflow_transition(
        workflow=MEMBERSHIP_WORKFLOW,
        obj=member,
        actor=actor,
        new=MembershipState.LEFT,
        check=check_membership_transition,
        fields={
            "is_active": False,
            "paused_until": None,
            "left_at": left_at,
            "left_reason": reason,
            "gear_returned": bool(gear_returned),
            "stop_requested_at": None,
            "stop_message": "",
        },
        allowed=(
            "is_active",
            "paused_until",
            "left_at",
            "left_reason",
            "gear_returned",
            "stop_requested_at",
            "stop_message",
        ),
        history={"reason": reason},
        data={"from": member.state, "gear_returned": bool(gear_returned)},
    )
    return member


@transaction.atomic
def membership_rejoin(*, actor: User | None, member: TeamMember, reason: str = "") -> TeamMember:
    """Bring a member who left back on the team (active, with what they earned before)."""
    member = _locked(member)
    workflow_transition(
        workflow=MEMBERSHIP_WORKFLOW,
        obj=member,
        actor=actor,
        new=MembershipState.ACTIVE,
        check=check_membership_transition,
        fields={"is_active": True, "left_at": None, "left_reason": "", "gear_returned": False},
        allowed=("is_active", "left_at", "left_reason", "gear_returned"),
        history={"reason": _text(reason, field="reason", limit=REASON_MAX)},
        action="membership.rejoined",
    )
    return member


@transaction.atomic
def membership_gear_returned(*, actor: User, member: TeamMember, returned: bool) -> TeamMember:
    """Mark the gear of a member who left as returned (or not after all)."""
    member = _locked(member)
    if member.state != MembershipState.LEFT:
        raise ValidationError(_("Gear is returned when a member leaves."))
    return _set_one(actor, member, "gear_returned", bool(returned), "membership.gear_returned")


@transaction.atomic
def membership_stop_request(*, actor: User, member: TeamMember, message: str = "") -> TeamMember:
    """A member tells their project leaders they want to stop (with an optional message);
    the leaders are notified and record the leave themselves. Asking again updates the
    message and tells them again."""
    member = _locked(member)
    if member.user_id != actor.pk:
        raise ValidationError(_("Only the member themselves can ask to stop."))
    if member.state == MembershipState.LEFT:
        raise ValidationError(_("You are no longer on this team."))
    message = _text(message, field="message", limit=MESSAGE_MAX)
    now = timezone.now()
    member.save(
        update_fields=apply_changes(
            member,
            {"stop_requested_at": now, "stop_message": message},
            allowed=("stop_requested_at", "stop_message"),
        )
    )
    audit_log(
        actor=actor,
        organisation=member.organisation,
        action="membership.stop_requested",
        obj=member,
    )
    programme = member.programme
    notify_on_commit(
        kind=STOP_REQUEST_KIND,
        recipients=list(
            programme.project_leaders.filter(role=Role.PROJECT_LEADER, is_active=True).order_by(
                "pk"
            )
        ),
        title=format_lazy(
            gettext_lazy("{name} wants to stop with {programme}"),
            name=member.user.name,
            programme=programme.name,
        ),
        body=message,
        url=reverse(
            "programme_team",
            kwargs={"org": programme.organisation.slug, "programme_pk": programme.pk},
        ),
        dedupe_key=f"membership-stop:{member.pk}:{now.isoformat()}",
        organisation=programme.organisation,
        programme=programme,
    )
    return member


def membership_pauses_ended(*, today=None):
    """(member id, organisation id) of paused members whose pause ended before `today`."""
    today = today or timezone.localdate()
    return TeamMember.objects.filter(
        state=MembershipState.PAUSED, paused_until__lt=today
    ).values_list("pk", "organisation_id")


@transaction.atomic
def membership_pause_end(*, member_id: int, today=None) -> bool:
    """Make one member whose pause ended active again (the beat calls this); a member who
    resumed, left or moved the end date meanwhile is left alone."""
    today = today or timezone.localdate()
    member = (
        TeamMember.objects.select_for_update()
        .filter(pk=member_id, state=MembershipState.PAUSED, paused_until__lt=today)
        .first()
    )
    if member is None:
        return False
    membership_resume(actor=None, member=member, reason=_("The pause ended."))
    return True


@transaction.atomic
def team_member_set_cohort(*, actor: User, member: TeamMember, cohort: int) -> TeamMember:
    """Put a member in a training cohort (its number): newcomers recruited while the team
    keeps walking are trained together in the next one."""
    if not 1 <= int(cohort) <= 999:
        raise ValidationError(_("Choose a cohort."))
    return _set_one(actor, _locked(member), "cohort", int(cohort), "team.cohort")

"""Programmes and their intake."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import Goal, Organisation, Partner, Programme, Progress, TeamMember, User
from ..permissions import CONSULTANCY_ROLES, Role
from ..workflow import MembershipState, check_membership_transition
from .common import apply_changes
from .membership import MEMBERSHIP_WORKFLOW
from .plan import programme_progress_record
from .workflow import workflow_history_append, workflow_transition

PROGRAMME_FIELDS = ("name", "neighbourhood", "municipality", "postcode_areas", "start_date")
INTAKE_FIELDS = ("vision", "starting_points")
# What the intake page may set on each goal and partner row.
GOAL_FIELDS = ("description", "measure")
PARTNER_FIELDS = ("name", "partner_organisation", "role", "email", "phone")


def _check_people(*, client: Organisation, project_leaders, client_contacts) -> None:
    if not project_leaders:
        raise ValidationError({"project_leaders": _("Choose at least one project leader.")})
    for user in project_leaders:
        if user.role not in CONSULTANCY_ROLES or user.organisation_id != client.consultancy_id:
            raise ValidationError(
                {"project_leaders": _("%(name)s is not a project leader here.") % {"name": user}}
            )
    for user in client_contacts:
        if user.role != Role.CLIENT_STAFF or user.organisation_id != client.pk:
            raise ValidationError(
                {"client_contacts": _("%(name)s does not work for this client.") % {"name": user}}
            )


def _normalise_postcodes(value: str) -> str:
    areas = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    for area in areas:
        if not (len(area) == 4 and area.isdigit()):
            raise ValidationError(
                {"postcode_areas": _("Use four-digit postcode areas, e.g. 3081, 3082.")}
            )
    return ", ".join(areas)


@transaction.atomic
def programme_create(
    *, actor: User, client: Organisation, project_leaders, client_contacts=(), **fields
) -> Programme:
    """Start a programme for `client`; its project leaders get access to the client."""
    if client.is_consultancy:
        raise ValidationError(_("A programme is run for a client."))
    _check_people(client=client, project_leaders=project_leaders, client_contacts=client_contacts)
    fields["postcode_areas"] = _normalise_postcodes(fields.get("postcode_areas", ""))
    programme = Programme(organisation=client, **fields)
    programme.full_clean()
    programme.save()
    programme.project_leaders.set(project_leaders)
    programme.client_contacts.set(client_contacts)
    for leader in project_leaders:
        if leader.role == Role.PROJECT_LEADER:
            leader.assigned_clients.add(client)
    audit_log(actor=actor, organisation=client, action="programme.created", obj=programme)
    return programme


@transaction.atomic
def programme_update(
    *, actor: User, programme: Programme, project_leaders=None, client_contacts=None, **fields
) -> Programme:
    """Change the programme's `PROGRAMME_FIELDS` and, when given, its project leaders and client
    contacts (checked like at creation; a leader is assigned to the client too). Audited once,
    only when something changed."""
    if "postcode_areas" in fields:
        fields["postcode_areas"] = _normalise_postcodes(fields["postcode_areas"])
    changed = apply_changes(programme, fields, allowed=PROGRAMME_FIELDS)
    if project_leaders is not None or client_contacts is not None:
        leaders = list(
            project_leaders if project_leaders is not None else programme.project_leaders.all()
        )
        contacts = list(
            client_contacts if client_contacts is not None else programme.client_contacts.all()
        )
        _check_people(
            client=programme.organisation, project_leaders=leaders, client_contacts=contacts
        )
        programme.project_leaders.set(leaders)
        programme.client_contacts.set(contacts)
        for leader in leaders:
            if leader.role == Role.PROJECT_LEADER:
                leader.assigned_clients.add(programme.organisation)
        changed.append("people")
    if changed:
        programme.full_clean()
        programme.save(update_fields=[c for c in changed if c != "people"] or None)
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="programme.updated",
            obj=programme,
            data={"fields": changed},
        )
    return programme


def _rows_sync(
    model, *, programme: Programme, rows: list[dict], allowed: tuple, position: bool = False
) -> int:
    """Make the programme's `model` rows (goals or partners) match `rows`: a row with the `id`
    of an existing one updates it in place, a row without one is added, and existing rows not
    named are removed. `allowed` names the fields a row may set. Returns how many rows there
    are now."""
    existing = {obj.pk: obj for obj in model.objects.filter(programme=programme)}
    keep = []
    for index, row in enumerate(rows):
        values = dict(row)
        pk = values.pop("id", None)
        obj = existing.pop(pk, None) if pk else None
        if obj is None:
            obj = model(organisation=programme.organisation, programme=programme)
        if position:
            values["position"] = index
        apply_changes(obj, values, allowed=(*allowed, "position") if position else allowed)
        obj.full_clean()
        keep.append(obj)
    if existing:
        model.objects.filter(pk__in=list(existing)).delete()
    for obj in keep:
        obj.save()
    return len(keep)


@transaction.atomic
def programme_intake_save(
    *,
    actor: User,
    programme: Programme,
    vision: str,
    starting_points: str,
    goals: list[dict],
    partners: list[dict],
    complete: bool = False,
) -> Programme:
    """Save the intake: vision, starting points, goals and partners. `goals` and `partners`
    are the whole lists as they should be; a row carrying the `id` of an existing goal or
    partner updates that one, so saving the page unchanged keeps every row as it was.
    `complete` also marks the intake complete (see `programme_intake_complete`)."""
    changed = apply_changes(
        programme,
        {"vision": vision.strip(), "starting_points": starting_points.strip()},
        allowed=INTAKE_FIELDS,
    )
    if changed:
        programme.save(update_fields=changed)
    n_goals = _rows_sync(Goal, programme=programme, rows=goals, allowed=GOAL_FIELDS, position=True)
    n_partners = _rows_sync(Partner, programme=programme, rows=partners, allowed=PARTNER_FIELDS)
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="programme.intake_saved",
        obj=programme,
        data={"goals": n_goals, "partners": n_partners, "complete": complete},
    )
    if complete:
        programme_intake_complete(actor=actor, programme=programme)
    return programme


@transaction.atomic
def programme_intake_complete(*, actor: User, programme: Programme) -> Programme:
    """Mark the intake complete with what is saved (no retyping), and tick the intake
    milestone of the plan. Completing it again changes nothing."""
    if programme.intake_completed_at:
        return programme
    if not programme.vision or not programme.goals.exists():
        raise ValidationError(
            _("A completed intake needs at least the client's vision and one goal.")
        )
    programme.save(
        update_fields=apply_changes(
            programme, {"intake_completed_at": timezone.now()}, allowed=("intake_completed_at",)
        )
    )
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="programme.intake_completed",
        obj=programme,
    )
    programme_progress_record(
        programme=programme,
        event=Progress.INTAKE_COMPLETED,
        when=programme.intake_completed_at,
        actor=actor,
    )
    return programme


def _newcomer_cohort(programme: Programme) -> int:
    """The training cohort a new member joins: a newcomers' cohort still in training (its
    members not all ready for rounds), so a team recruiting again while it keeps walking
    trains its newcomers together; otherwise cohort 1 (the founding team, or newcomers
    waiting for a cohort to be planned for them)."""
    newest = (
        TeamMember.objects.filter(programme=programme, is_active=True, cohort__gt=1)
        .order_by("-cohort")
        .values_list("cohort", flat=True)
        .first()
    )
    if (
        newest
        and TeamMember.objects.filter(
            programme=programme, is_active=True, cohort=newest, ready_for_rounds=False
        ).exists()
    ):
        return newest
    return 1


@transaction.atomic
def team_member_add(*, actor: User, programme: Programme, user: User) -> TeamMember:
    """Put a team member on the programme's roster (again, if they had left)."""
    if user.role != Role.TEAM_MEMBER or user.organisation_id != programme.organisation_id:
        raise ValidationError(_("Only team members of this client can join its team."))
    member, created = TeamMember.objects.get_or_create(
        organisation=programme.organisation,
        programme=programme,
        user=user,
        defaults={"cohort": _newcomer_cohort(programme)},
    )
    if created:
        workflow_history_append(
            workflow=MEMBERSHIP_WORKFLOW,
            obj=member,
            actor=actor,
            previous="",
            new=MembershipState.ACTIVE,
        )
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="team.member_added",
            obj=member,
        )
    elif not member.is_active:  # (a member on the team changes nothing)
        workflow_transition(
            workflow=MEMBERSHIP_WORKFLOW,
            obj=TeamMember.objects.select_for_update().get(pk=member.pk),
            actor=actor,
            new=MembershipState.ACTIVE,
            # A row taken off the team by hand (not "left") comes back all the same.
            check=check_membership_transition if member.state == MembershipState.LEFT else None,
            fields={"is_active": True, "left_at": None, "left_reason": "", "gear_returned": False},
            allowed=("is_active", "left_at", "left_reason", "gear_returned"),
            action="team.member_added",
            data={},
        )
        member.refresh_from_db()
    programme_progress_record(programme=programme, event=Progress.TEAM_SELECTED, actor=actor)
    return member


@transaction.atomic
def team_member_set_ready(
    *, actor: User, member: TeamMember, ready: bool, reason: str = ""
) -> TeamMember:
    """Mark a member ready (or not) to walk rounds. The training track calls this when the
    track is complete; a project leader may override it, and must say why."""
    if ready == member.ready_for_rounds and reason == member.ready_reason:
        return member
    changed = apply_changes(
        member,
        {"ready_for_rounds": ready, "ready_reason": reason.strip()},
        allowed=("ready_for_rounds", "ready_reason"),
    )
    member.save(update_fields=changed)
    audit_log(
        actor=actor,
        organisation=member.organisation,
        action="team.readiness",
        obj=member,
        data={"ready": ready, "reason": member.ready_reason},
    )
    if ready and not member.ready_reason:
        # Ready without an override: the member finished the training track.
        programme_progress_record(
            programme=member.programme, event=Progress.TEAM_TRAINED, actor=actor
        )
    return member


@transaction.atomic
def team_member_remove(*, actor: User | None, member: TeamMember) -> TeamMember:
    """Take a member off the programme's roster: the row stays (their rounds, signals and
    certificates keep pointing at it) but no longer counts. Taking off someone who already
    left changes nothing; `team_member_add` puts them back."""
    locked = TeamMember.objects.select_for_update().get(pk=member.pk)
    if locked.is_active:
        workflow_transition(
            workflow=MEMBERSHIP_WORKFLOW,
            obj=locked,
            actor=actor,
            new=MembershipState.LEFT,
            check=check_membership_transition if locked.state != MembershipState.LEFT else None,
            fields={"is_active": False, "paused_until": None, "left_at": timezone.now()},
            allowed=("is_active", "paused_until", "left_at"),
            action="team.member_removed",
            data={},
        )
        member.refresh_from_db()
    return member

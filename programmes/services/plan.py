"""The plan of approach: the consultancy's template and each programme's own milestones."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scope

from ..audit import audit_log
from ..calendar import working_day
from ..models import (
    PROGRESS_TICKS,
    Milestone,
    Organisation,
    Phase,
    Programme,
    Progress,
    ProgressEvent,
    TemplateMilestone,
    User,
)
from .common import apply_changes

ROLLOUT_DAYS = 91  # the plan is rolled out within 3 months
DONE_FIELDS = ("done_at", "done_by")

# The standard plan (seeds: "plan van aanpak binnen 3 maanden"); titles are stored in Dutch,
# the language of the people who read the plan, and the consultancy can edit them. The last
# item names the event that ticks the milestone by itself (see `programme_progress_record`).
DEFAULT_TEMPLATE = [
    (Phase.PREPARATION, gettext_noop("Intake with the client"), 0, Progress.INTAKE_COMPLETED),
    (Phase.PREPARATION, gettext_noop("Plan of approach agreed"), 7, ""),
    (Phase.RECRUITMENT, gettext_noop("Recruitment material ready in the client's style"), 14, ""),
    (Phase.SURVEY, gettext_noop("Neighbourhood survey sent out"), 14, ""),
    (Phase.RECRUITMENT, gettext_noop("Door-to-door round done"), 28, ""),
    (Phase.SURVEY, gettext_noop("Survey results shared with the client"), 35, ""),
    (Phase.RECRUITMENT, gettext_noop("Information meeting held"), 35, ""),
    (
        Phase.RECRUITMENT,
        gettext_noop("Team members selected with the client"),
        45,
        Progress.TEAM_SELECTED,
    ),
    (Phase.TRAINING, gettext_noop("Introduction meeting"), 52, Progress.TEAM_TRAINED),
    (
        Phase.TRAINING,
        gettext_noop("Workshop Effective Communication"),
        59,
        Progress.CERTIFICATES_ISSUED,
    ),
    (
        Phase.TRAINING,
        gettext_noop("Instruction meeting: rules and effort obligation"),
        66,
        Progress.TEAM_TRAINED,
    ),
    (
        Phase.KICKOFF,
        gettext_noop("Festive kickoff with gear and certificates"),
        77,
        Progress.KICKOFF_HELD,
    ),
    (Phase.INTRODUCTION, gettext_noop("Flyer and poster with the team photo delivered"), 86, ""),
    (
        Phase.GUIDANCE,
        gettext_noop("First evaluation with the team and the client"),
        91,
        Progress.EVALUATION_HELD,
    ),
]


@transaction.atomic
def plan_template_ensure(*, consultancy: Organisation) -> list[TemplateMilestone]:
    """The consultancy's plan template, created from the standard plan when it has none.
    Not audited: defaults made on first use are nobody's decision (`plan_template_save` is)."""
    existing = list(TemplateMilestone.objects.filter(organisation=consultancy))
    if existing:
        return existing
    with translation.override("nl"):
        rows = [
            TemplateMilestone(
                organisation=consultancy, phase=phase, title=_(title), offset_days=days, key=key
            )
            for phase, title, days, key in DEFAULT_TEMPLATE
        ]
    return TemplateMilestone.objects.bulk_create(rows)


@transaction.atomic
def plan_template_save(*, actor: User, consultancy: Organisation, rows: list[dict]) -> None:
    """Replace the consultancy's template with `rows` (phase, title, offset_days and the
    optional `key` of the event that ticks the milestone)."""
    if not rows:
        raise ValidationError(_("The template needs at least one milestone."))
    TemplateMilestone.objects.filter(organisation=consultancy).delete()
    objs = [TemplateMilestone(organisation=consultancy, **row) for row in rows]
    for obj in objs:
        obj.full_clean(exclude=["organisation"])
    TemplateMilestone.objects.bulk_create(objs)
    audit_log(
        actor=actor,
        organisation=consultancy,
        action="plan_template.saved",
        obj=consultancy,
        data={"milestones": len(objs)},
    )


@transaction.atomic
def plan_generate(*, actor: User, programme: Programme, replace: bool = False) -> list[Milestone]:
    """Make the programme's milestones from its consultancy's template, spread from the start
    date over the 3-month rollout; a milestone never falls in a weekend."""
    replaced = 0
    if programme.milestones.exists():
        if not replace:
            raise ValidationError(_("This programme already has a plan."))
        replaced, _detail = programme.milestones.all().delete()
    consultancy = programme.organisation.consultancy
    # The template belongs to the consultancy, not to the client whose scope is active.
    with scope(organisation=consultancy.pk):
        template = plan_template_ensure(consultancy=consultancy)
    milestones = Milestone.objects.bulk_create(
        [
            Milestone(
                organisation=programme.organisation,
                programme=programme,
                phase=row.phase,
                title=row.title,
                due_date=working_day(programme.start_date + timedelta(days=row.offset_days)),
                key=row.key,
            )
            for row in template
        ]
    )
    # What already happened (an intake completed before the plan was made) is ticked at once.
    for event in ProgressEvent.objects.filter(programme=programme):
        _progress_tick(programme=programme, event=event.event, when=event.reached_at, actor=actor)
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="plan.generated",
        obj=programme,
        data={"milestones": len(milestones), "replaced": replaced},
    )
    return milestones


def _milestone_check(milestone: Milestone) -> None:
    if milestone.owner_id and milestone.owner.organisation_id not in (
        milestone.organisation_id,
        milestone.organisation.consultancy_id,
    ):
        raise ValidationError({"owner": _("The owner must work on this programme.")})
    milestone.full_clean()


@transaction.atomic
def milestone_create(
    *, actor: User, programme: Programme, phase: str, title: str, due_date: date, owner=None
) -> Milestone:
    """Add a milestone by hand to the programme's plan; its owner must work for the client or
    its consultancy. Audited."""
    milestone = Milestone(
        organisation=programme.organisation,
        programme=programme,
        phase=phase,
        title=title,
        due_date=due_date,
        owner=owner,
    )
    _milestone_check(milestone)
    milestone.save()
    audit_log(
        actor=actor, organisation=programme.organisation, action="milestone.created", obj=milestone
    )
    return milestone


@transaction.atomic
def milestone_update(*, actor: User, milestone: Milestone, **fields) -> Milestone:
    """Change title, phase, due date (moving it) or owner."""
    old_due = milestone.due_date
    changed = apply_changes(milestone, fields, allowed=("title", "phase", "due_date", "owner"))
    if not changed:
        return milestone
    _milestone_check(milestone)
    milestone.save(update_fields=changed)
    data = {"fields": changed}
    if "due_date" in changed:
        data["moved"] = [old_due.isoformat(), milestone.due_date.isoformat()]
    audit_log(
        actor=actor,
        organisation=milestone.organisation,
        action="milestone.updated",
        obj=milestone,
        data=data,
    )
    return milestone


@transaction.atomic
def milestone_set_done(*, actor: User, milestone: Milestone, done: bool) -> Milestone:
    """Tick a milestone done (by `actor`, now) or open it again; nothing when it already is."""
    if done == milestone.is_done:
        return milestone
    changed = apply_changes(
        milestone,
        {"done_at": timezone.now() if done else None, "done_by": actor if done else None},
        allowed=DONE_FIELDS,
    )
    milestone.save(update_fields=changed)
    audit_log(
        actor=actor,
        organisation=milestone.organisation,
        action="milestone.done" if done else "milestone.reopened",
        obj=milestone,
    )
    return milestone


@transaction.atomic
def milestone_delete(*, actor: User, milestone: Milestone) -> None:
    """Remove a milestone; the audit entry, written first, keeps its title."""
    audit_log(
        actor=actor,
        organisation=milestone.organisation,
        action="milestone.deleted",
        obj=milestone,
        data={"title": milestone.title},
    )
    milestone.delete()


def _progress_tick(*, programme: Programme, event: str, when, actor) -> int:
    """Tick the open milestones that stand for `event`; returns how many were ticked."""
    keys = PROGRESS_TICKS.get(event, set())
    if not keys:
        return 0
    ticked = 0
    for milestone in programme.milestones.filter(key__in=keys, done_at__isnull=True):
        by = actor if getattr(actor, "is_authenticated", False) else None
        changed = apply_changes(milestone, {"done_at": when, "done_by": by}, allowed=DONE_FIELDS)
        milestone.save(update_fields=changed)
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="milestone.done",
            obj=milestone,
            data={"by_event": event},
        )
        ticked += 1
    return ticked


@transaction.atomic
def programme_progress_record(
    *, programme: Programme, event: str, when=None, actor: User | None = None
) -> bool:
    """Record that `event` (a `Progress` value) happened in the programme: the apps call this
    from their own services when it happens (a candidate approved, a certificate issued, a
    round walked...), so the base never imports them. It ticks the plan's milestones that
    stand for the event and moves the current phase on (see `selectors.plan_status`).
    Recording it again is a no-op; returns whether it was new."""
    if event not in Progress.values:
        raise ValueError(f"unknown progress event: {event!r}")
    when = when or timezone.now()
    record, created = ProgressEvent.objects.get_or_create(
        organisation=programme.organisation,
        programme=programme,
        event=event,
        defaults={"reached_at": when},
    )
    if not created:
        return False
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="programme.progress",
        obj=programme,
        data={"event": event, "when": when.isoformat()},
    )
    _progress_tick(programme=programme, event=event, when=when, actor=actor)
    return True

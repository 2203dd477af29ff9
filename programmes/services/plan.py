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
from ..models import Milestone, Organisation, Phase, Programme, TemplateMilestone, User
from .common import apply_changes

ROLLOUT_DAYS = 91  # the plan is rolled out within 3 months

# The standard plan (seeds: "plan van aanpak binnen 3 maanden"); titles are stored in Dutch,
# the language of the people who read the plan, and the consultancy can edit them.
DEFAULT_TEMPLATE = [
    (Phase.PREPARATION, gettext_noop("Intake with the client"), 0),
    (Phase.PREPARATION, gettext_noop("Plan of approach agreed"), 7),
    (Phase.RECRUITMENT, gettext_noop("Recruitment material ready in the client's style"), 14),
    (Phase.SURVEY, gettext_noop("Neighbourhood survey sent out"), 14),
    (Phase.RECRUITMENT, gettext_noop("Door-to-door round done"), 28),
    (Phase.SURVEY, gettext_noop("Survey results shared with the client"), 35),
    (Phase.RECRUITMENT, gettext_noop("Information meeting held"), 35),
    (Phase.RECRUITMENT, gettext_noop("Team members selected with the client"), 45),
    (Phase.TRAINING, gettext_noop("Introduction meeting"), 52),
    (Phase.TRAINING, gettext_noop("Workshop Effective Communication"), 59),
    (Phase.TRAINING, gettext_noop("Instruction meeting: rules and effort obligation"), 66),
    (Phase.KICKOFF, gettext_noop("Festive kickoff with gear and certificates"), 77),
    (Phase.INTRODUCTION, gettext_noop("Flyer and poster with the team photo delivered"), 86),
    (Phase.GUIDANCE, gettext_noop("First evaluation with the team and the client"), 91),
]


@transaction.atomic
def plan_template_ensure(*, consultancy: Organisation) -> list[TemplateMilestone]:
    """The consultancy's plan template, created from the standard plan when it has none."""
    existing = list(TemplateMilestone.objects.filter(organisation=consultancy))
    if existing:
        return existing
    with translation.override("nl"):
        rows = [
            TemplateMilestone(
                organisation=consultancy, phase=phase, title=_(title), offset_days=days
            )
            for phase, title, days in DEFAULT_TEMPLATE
        ]
    return TemplateMilestone.objects.bulk_create(rows)


@transaction.atomic
def plan_template_save(*, actor: User, consultancy: Organisation, rows: list[dict]) -> None:
    """Replace the consultancy's template with `rows` (phase, title, offset_days)."""
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
    if programme.milestones.exists():
        if not replace:
            raise ValidationError(_("This programme already has a plan."))
        programme.milestones.all().delete()
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
            )
            for row in template
        ]
    )
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="plan.generated",
        obj=programme,
        data={"milestones": len(milestones)},
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
    if done == milestone.is_done:
        return milestone
    milestone.done_at = timezone.now() if done else None
    milestone.done_by = actor if done else None
    milestone.save(update_fields=["done_at", "done_by"])
    audit_log(
        actor=actor,
        organisation=milestone.organisation,
        action="milestone.done" if done else "milestone.reopened",
        obj=milestone,
    )
    return milestone


@transaction.atomic
def milestone_delete(*, actor: User, milestone: Milestone) -> None:
    audit_log(
        actor=actor,
        organisation=milestone.organisation,
        action="milestone.deleted",
        obj=milestone,
        data={"title": milestone.title},
    )
    milestone.delete()

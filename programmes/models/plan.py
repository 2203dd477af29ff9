"""The plan of approach: phases and milestones, made from the consultancy's template."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import Organisation
from .programme import Programme
from .tenant import TenantModel


class Phase(models.TextChoices):
    """The phases every programme runs through, in order (see the domain description)."""

    PREPARATION = "preparation", _("Preparation and intake")
    RECRUITMENT = "recruitment", _("Recruitment")
    SURVEY = "survey", _("Neighbourhood survey")
    TRAINING = "training", _("Training track")
    KICKOFF = "kickoff", _("Kickoff")
    INTRODUCTION = "introduction", _("Introduction in the neighbourhood")
    GUIDANCE = "guidance", _("Guidance")


PHASE_ORDER = {value: index for index, value in enumerate(Phase.values)}


class Progress(models.TextChoices):
    """What happened in a programme, recorded by the app where it happens (through
    `programme_progress_record`): it ticks the plan's milestones that stand for it and moves
    the current phase on, whether or not anyone ticked a milestone by hand."""

    INTAKE_COMPLETED = "intake_completed", _("Intake completed")
    TEAM_SELECTED = "team_selected", _("Team selected")
    CERTIFICATES_ISSUED = "certificates_issued", _("Certificates issued")
    TEAM_TRAINED = "team_trained", _("Team trained")
    KICKOFF_HELD = "kickoff_held", _("Kickoff held")
    ROUNDS_WALKED = "rounds_walked", _("Rounds walked")
    EVALUATION_HELD = "evaluation_held", _("Evaluation held")


# The milestones (by their `key`) an event ticks: a trained team has passed the workshop too.
PROGRESS_TICKS = {
    Progress.INTAKE_COMPLETED: {Progress.INTAKE_COMPLETED},
    Progress.TEAM_SELECTED: {Progress.TEAM_SELECTED},
    Progress.CERTIFICATES_ISSUED: {Progress.CERTIFICATES_ISSUED},
    Progress.TEAM_TRAINED: {Progress.TEAM_TRAINED, Progress.CERTIFICATES_ISSUED},
    Progress.KICKOFF_HELD: {Progress.KICKOFF_HELD},
    Progress.ROUNDS_WALKED: set(),
    Progress.EVALUATION_HELD: {Progress.EVALUATION_HELD},
}

# The phase a programme is at least in once the event happened.
PROGRESS_PHASE = {
    Progress.TEAM_SELECTED: Phase.TRAINING,
    Progress.CERTIFICATES_ISSUED: Phase.TRAINING,
    Progress.TEAM_TRAINED: Phase.KICKOFF,
    Progress.KICKOFF_HELD: Phase.INTRODUCTION,
    Progress.ROUNDS_WALKED: Phase.INTRODUCTION,
    Progress.EVALUATION_HELD: Phase.GUIDANCE,
}


class TemplateMilestone(TenantModel):
    """One milestone of the consultancy's plan template; `offset_days` counts from the start."""

    # Redeclared to keep its own label (a template belongs to the consultancy) and reverse name.
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("consultancy"),
        on_delete=models.CASCADE,
        related_name="template_milestones",
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    title = models.CharField(_("milestone"), max_length=200)
    offset_days = models.PositiveSmallIntegerField(
        _("days after the start"), help_text=_("The plan is rolled out within 3 months (91 days).")
    )
    key = models.CharField(_("ticked when"), max_length=30, blank=True, choices=Progress.choices)

    class Meta:
        verbose_name = _("template milestone")
        verbose_name_plural = _("plan template")
        ordering = ["offset_days", "id"]

    def __str__(self) -> str:
        return self.title


class Milestone(TenantModel):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    title = models.CharField(_("milestone"), max_length=200)
    due_date = models.DateField(_("due date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    key = models.CharField(_("ticked when"), max_length=30, blank=True, choices=Progress.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["programme", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_date < timezone.localdate()


class ProgressEvent(TenantModel):
    """That something happened in a programme (once per kind, the first time it happened)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="progress_events"
    )
    event = models.CharField(_("event"), max_length=30, choices=Progress.choices)
    reached_at = models.DateTimeField(_("reached"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("progress event")
        verbose_name_plural = _("progress events")
        ordering = ["reached_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "event"], name="one_progress_event_each")
        ]

    def __str__(self) -> str:
        return self.get_event_display()

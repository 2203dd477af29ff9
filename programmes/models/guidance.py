"""Guidance over the years: evaluations with the team and the client on a schedule, the
neighbourhood's action plan, and the closing of a programme at its end.

An evaluation moves through states (`EVALUATION_TRANSITIONS`, checked by
`check_evaluation_transition`, history in `EvaluationEvent`): planned, open for the client's
input, held, shared with the client (then its PDF is on the client's documents page). A
closed programme has a `ProgrammeClosure`: from then on it is read-only (see
`programmes.closure`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .documents import Document
from .programme import Partner, Programme
from .tenant import TenantModel

# The kinds of document of the guidance (registered in `programmes.apps`): an evaluation's
# PDF (its `ref` names the evaluation) and the final report made when a programme closes.
EVALUATION_REPORT = "evaluation"
FINAL_REPORT = "final_report"

# Bounds of the texts of an evaluation and an action: enough for a page of notes.
EVALUATION_TEXT_MAX = 5000
ACTION_DESCRIPTION_MAX = 2000


class EvaluationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for input")
    HELD = "held", _("Held")
    SHARED = "shared", _("Shared with the client")


# Which state may follow which: a planned evaluation is opened for the client's input or
# held at once; a held one is shared (or opened again to correct it before sharing).
EVALUATION_TRANSITIONS: dict[str, frozenset[str]] = {
    EvaluationStatus.PLANNED: frozenset({EvaluationStatus.OPEN, EvaluationStatus.HELD}),
    EvaluationStatus.OPEN: frozenset({EvaluationStatus.PLANNED, EvaluationStatus.HELD}),
    EvaluationStatus.HELD: frozenset({EvaluationStatus.OPEN, EvaluationStatus.SHARED}),
    EvaluationStatus.SHARED: frozenset(),
}


def check_evaluation_transition(current: str, new: str) -> None:
    """Raise ValidationError unless an evaluation may move from `current` to `new`."""
    if new not in EVALUATION_TRANSITIONS.get(current, ()):
        raise ValidationError(
            _("An evaluation that is “%(current)s” cannot become “%(new)s”.")
            % {"current": EvaluationStatus(current).label, "new": EvaluationStatus(new).label}
        )


class Evaluation(TenantModel):
    """One evaluation of a programme, with the team or with the client, on a structured form."""

    class Kind(models.TextChoices):
        TEAM = "team", _("With the team")
        CLIENT = "client", _("With the client")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="evaluations")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    planned_on = models.DateField(_("planned date"))
    # The date of the schedule this evaluation answers (None: planned outside the schedule).
    due_on = models.DateField(_("due by the schedule"), null=True, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.PLANNED,
    )
    went_well = models.TextField(_("what went well"), max_length=EVALUATION_TEXT_MAX, blank=True)
    to_improve = models.TextField(_("what to improve"), max_length=EVALUATION_TEXT_MAX, blank=True)
    agreements = models.TextField(
        _("agreements"),
        max_length=EVALUATION_TEXT_MAX,
        blank=True,
        help_text=_("One agreement per line."),
    )
    client_input = models.TextField(
        _("the client's input"), max_length=EVALUATION_TEXT_MAX, blank=True
    )
    client_input_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_input_at = models.DateTimeField(null=True, blank=True)
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-planned_on", "-id"]
        indexes = [models.Index(fields=["programme", "planned_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.planned_on:%Y-%m-%d}"

    @property
    def agreement_rows(self) -> list[str]:
        return [line.strip() for line in self.agreements.splitlines() if line.strip()]

    @property
    def is_open_for_input(self) -> bool:
        return self.kind == self.Kind.CLIENT and self.status == EvaluationStatus.OPEN

    @property
    def is_visible_to_client(self) -> bool:
        """The client sees its own evaluations from planned on, the team's once shared."""
        return self.kind == self.Kind.CLIENT or self.status == EvaluationStatus.SHARED


class EvaluationEvent(TenantModel):
    """One step in an evaluation's history: append-only."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=EvaluationStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=EvaluationStatus.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class EvaluationSchedule(TenantModel):
    """When a programme's evaluations are due: the first `first_after_months` after the start
    of the daily work (the kickoff, or `starts_on` when set), then every `every_months`.
    A programme without a row uses the defaults (3, then every 6)."""

    DEFAULT_FIRST = 3
    DEFAULT_EVERY = 6

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="evaluation_schedule"
    )
    first_after_months = models.PositiveSmallIntegerField(
        _("first evaluation after (months)"),
        default=DEFAULT_FIRST,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    every_months = models.PositiveSmallIntegerField(
        _("then every (months)"),
        default=DEFAULT_EVERY,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    starts_on = models.DateField(
        _("counted from"),
        null=True,
        blank=True,
        help_text=_("Empty: from the kickoff (or the start date while there was none)."),
    )

    class Meta:
        verbose_name = _("evaluation schedule")
        verbose_name_plural = _("evaluation schedules")

    def __str__(self) -> str:
        return f"{self.first_after_months}+{self.every_months}"


class Action(TenantModel):
    """One action of the neighbourhood's action plan (from the survey or an evaluation)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    class Source(models.TextChoices):
        SURVEY = "survey", _("Neighbourhood survey")
        EVALUATION = "evaluation", _("Evaluation")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=200)
    description = models.TextField(_("description"), max_length=ACTION_DESCRIPTION_MAX, blank=True)
    owner = models.CharField(_("owner"), max_length=200, help_text=_("Who takes it up."))
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    due_on = models.DateField(_("date"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("action plan")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_on is not None
            and self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)
            and self.due_on < timezone.localdate()
        )


class ProgrammeClosure(TenantModel):
    """That a programme was closed at its end: from then on it is archived, read-only."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="closure")
    closed_at = models.DateTimeField(_("closed"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("closing words"), max_length=EVALUATION_TEXT_MAX, blank=True)
    final_report = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    thanked = models.PositiveIntegerField(_("members thanked"), default=0)

    class Meta:
        verbose_name = _("programme closure")
        verbose_name_plural = _("programme closures")

    def __str__(self) -> str:
        return f"{self.programme_id} {self.closed_at:%Y-%m-%d}"

"""Writes of the guidance over the years: evaluations and their schedule, the action plan, and
closing a programme at its end.

An evaluation moves through `EVALUATION_TRANSITIONS` (`workflow_transition`: the history row
and the audit entry in one place). Holding the first one ticks the plan's evaluation
milestone (`Progress.EVALUATION_HELD`); sharing one makes its PDF, which the client then finds
on its documents page. Closing a programme makes the final report, thanks every member by
mail through the outbox and makes the programme read-only (`programmes.closure`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..audit import audit_log
from ..closure import refuse_if_closed
from ..mail import mail_queue
from ..models import (
    Action,
    Evaluation,
    EvaluationEvent,
    EvaluationSchedule,
    EvaluationStatus,
    Partner,
    Programme,
    ProgrammeClosure,
    Progress,
    User,
)
from ..models.guidance import EVALUATION_REPORT, FINAL_REPORT, check_evaluation_transition
from ..selectors import guidance as guidance_selectors
from .common import apply_changes
from .documents import document_request
from .notifications import notify
from .plan import programme_progress_record
from .workflow import Workflow, workflow_history_append, workflow_transition

EVALUATION_WORKFLOW = Workflow(
    state="status",
    history=EvaluationEvent,
    subject="evaluation",
    from_field="from_status",
    to_field="to_status",
    action="evaluation",
)

# Notification kinds of the guidance (registered in `programmes.apps`).
EVALUATION_DUE = "programmes.evaluation_due"
EVALUATION_OPEN = "programmes.evaluation_open"

# How long before its date the schedule plans an evaluation and tells the project leader,
# and how far back a date of the schedule that nobody planned is still planned (an older one
# is history: no evaluation is planned for a date long gone).
PLAN_AHEAD_DAYS = 21
PLAN_BEHIND_DAYS = 31

EVALUATION_FIELDS = ("planned_on", "held_on", "went_well", "to_improve", "agreements")
ACTION_FIELDS = (
    "title",
    "description",
    "owner",
    "partner",
    "status",
    "due_on",
    "source",
    "evaluation",
)


# --- Schedule ------------------------------------------------------------------------------


@transaction.atomic
def evaluation_schedule_set(
    *,
    actor: User,
    programme: Programme,
    first_after_months: int,
    every_months: int,
    starts_on: datetime.date | None = None,
) -> EvaluationSchedule:
    """Set when the programme's evaluations are due (the defaults: 3 months after the kickoff,
    then every 6 months). Audited."""
    refuse_if_closed(programme)
    schedule = guidance_selectors.schedule_of(programme=programme)
    if schedule.pk is None:
        schedule.save()  # the defaults, made on first change; the change below is audited
    changed = apply_changes(
        schedule,
        {
            "first_after_months": first_after_months,
            "every_months": every_months,
            "starts_on": starts_on,
        },
        allowed=("first_after_months", "every_months", "starts_on"),
    )
    schedule.full_clean()
    if changed:
        schedule.save(update_fields=changed)
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="evaluation_schedule.set",
            obj=programme,
            data={f: str(getattr(schedule, f)) for f in changed},
        )
    return schedule


# --- Evaluations ---------------------------------------------------------------------------


@transaction.atomic
def evaluation_plan(
    *,
    actor: User | None,
    programme: Programme,
    kind: str,
    planned_on: datetime.date,
    due_on: datetime.date | None = None,
) -> Evaluation:
    """Plan an evaluation with the team or the client; audited, its history starts here."""
    refuse_if_closed(programme)
    evaluation = Evaluation(
        organisation=programme.organisation,
        programme=programme,
        kind=kind,
        planned_on=planned_on,
        due_on=due_on,
    )
    evaluation.full_clean()
    evaluation.save()
    workflow_history_append(
        workflow=EVALUATION_WORKFLOW,
        obj=evaluation,
        actor=actor,
        previous="",
        new=EvaluationStatus.PLANNED,
    )
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="evaluation.planned",
        obj=evaluation,
        data={"kind": kind, "planned_on": planned_on.isoformat()},
    )
    return evaluation


def _locked(evaluation: Evaluation) -> Evaluation:
    locked = (
        Evaluation.objects.select_for_update().select_related("programme").get(pk=evaluation.pk)
    )
    locked.programme.organisation = evaluation.programme.organisation
    refuse_if_closed(locked.programme)
    return locked


@transaction.atomic
def evaluation_update(*, actor: User, evaluation: Evaluation, **fields) -> Evaluation:
    """Write the form of an evaluation (date, what went well, what to improve, agreements);
    a shared evaluation is final. Audited with the names of the fields changed."""
    evaluation = _locked(evaluation)
    if evaluation.status == EvaluationStatus.SHARED:
        raise ValidationError(_("This evaluation was shared with the client: it is final."))
    changed = apply_changes(evaluation, fields, allowed=EVALUATION_FIELDS)
    if not changed:
        return evaluation
    evaluation.full_clean()
    evaluation.save(update_fields=changed)
    audit_log(
        actor=actor,
        organisation=evaluation.organisation,
        action="evaluation.updated",
        obj=evaluation,
        data={"fields": changed},
    )
    return evaluation


@transaction.atomic
def evaluation_transition(*, actor: User, evaluation: Evaluation, new: str) -> Evaluation:
    """Move an evaluation on: open it for the client's input (a client evaluation only; its
    contacts are told), hold it (ticks the plan's evaluation milestone the first time), or
    share it with the client (its PDF is made for the client's documents page)."""
    evaluation = _locked(evaluation)
    programme = evaluation.programme
    if new == EvaluationStatus.OPEN and evaluation.kind != Evaluation.Kind.CLIENT:
        raise ValidationError(_("Only an evaluation with the client is opened for input."))
    fields, allowed = {}, ()
    if new == EvaluationStatus.HELD and evaluation.held_on is None:
        fields, allowed = {"held_on": timezone.localdate()}, ("held_on",)
    workflow_transition(
        workflow=EVALUATION_WORKFLOW,
        obj=evaluation,
        actor=actor,
        new=new,
        check=check_evaluation_transition,
        fields=fields,
        allowed=allowed,
    )
    if new == EvaluationStatus.HELD:
        held = datetime.datetime.combine(
            evaluation.held_on, datetime.time(12), tzinfo=timezone.get_current_timezone()
        )
        programme_progress_record(
            programme=programme, event=Progress.EVALUATION_HELD, when=held, actor=actor
        )
    elif new == EvaluationStatus.SHARED:
        document = document_request(
            actor=actor,
            organisation=evaluation.organisation,
            programme=programme,
            kind=EVALUATION_REPORT,
            ref=guidance_selectors.evaluation_document_ref(evaluation),
        )
        evaluation.document = document
        evaluation.save(update_fields=["document"])
    elif new == EvaluationStatus.OPEN:
        url = reverse(
            "portal_evaluation",
            kwargs={
                "org": programme.organisation.slug,
                "programme_pk": programme.pk,
                "evaluation_pk": evaluation.pk,
            },
        )
        transaction.on_commit(
            lambda: notify(
                kind=EVALUATION_OPEN,
                recipients=list(programme.client_contacts.all()),
                title=format_lazy(
                    gettext_lazy("Your input is asked for the evaluation of {programme}"),
                    programme=programme.name,
                ),
                url=url,
                dedupe_key=f"evaluation-open:{evaluation.pk}",
                organisation=programme.organisation,
                programme=programme,
            )
        )
    return evaluation


@transaction.atomic
def evaluation_client_input(*, actor: User, evaluation: Evaluation, text: str) -> Evaluation:
    """The client's input to an evaluation with the client that is open for it. Audited."""
    evaluation = _locked(evaluation)
    if not evaluation.is_open_for_input:
        raise ValidationError(_("This evaluation is not open for your input (any more)."))
    text = text.strip()
    if not text:
        raise ValidationError({"client_input": _("Write your input first.")})
    apply_changes(
        evaluation,
        {"client_input": text, "client_input_by": actor, "client_input_at": timezone.now()},
        allowed=("client_input", "client_input_by", "client_input_at"),
    )
    evaluation.full_clean()
    evaluation.save(update_fields=["client_input", "client_input_by", "client_input_at"])
    audit_log(
        actor=actor,
        organisation=evaluation.organisation,
        action="evaluation.client_input",
        obj=evaluation,
    )
    return evaluation


def evaluations_plan_due(*, programme: Programme, today: datetime.date | None = None) -> int:
    """Plan the evaluations the schedule asks for soon (within PLAN_AHEAD_DAYS; a date that
    passed less than PLAN_BEHIND_DAYS ago too), one with the team and one with the client per
    date, and tell the project leaders; once per date (an evaluation remembers the date it
    answers). Returns how many were planned. The periodic job runs this per programme."""
    today = today or timezone.localdate()
    if guidance_selectors.programme_is_closed(programme=programme):
        return 0
    due_dates = [
        due
        for due in guidance_selectors.schedule_dates(
            programme=programme, until=today + datetime.timedelta(days=PLAN_AHEAD_DAYS)
        )
        if due >= today - datetime.timedelta(days=PLAN_BEHIND_DAYS)
    ]
    planned = 0
    for due in due_dates:
        with transaction.atomic():
            # One at a time per programme: a second run waits here and then finds them.
            Programme.objects.select_for_update().filter(pk=programme.pk).first()
            have = set(
                Evaluation.objects.filter(programme=programme, due_on=due).values_list(
                    "kind", flat=True
                )
            )
            new = [kind for kind in Evaluation.Kind.values if kind not in have]
            for kind in new:
                evaluation_plan(
                    actor=None, programme=programme, kind=kind, planned_on=due, due_on=due
                )
            planned += len(new)
            if new:
                _notify_due(programme=programme, due=due)
    return planned


def _notify_due(*, programme: Programme, due: datetime.date) -> None:
    url = reverse(
        "programme_evaluations",
        kwargs={"org": programme.organisation.slug, "programme_pk": programme.pk},
    )
    transaction.on_commit(
        lambda: notify(
            kind=EVALUATION_DUE,
            recipients=list(programme.project_leaders.all()),
            title=format_lazy(
                gettext_lazy("Evaluations of {programme} are due on {date}"),
                programme=programme.name,
                date=due.strftime("%d-%m-%Y"),
            ),
            body=gettext_lazy(
                "The schedule planned an evaluation with the team and one with the client. "
                "Set a date with them, and open the client's for input."
            ),
            url=url,
            dedupe_key=f"evaluation-due:{programme.pk}:{due.isoformat()}",
            organisation=programme.organisation,
            programme=programme,
        )
    )


# --- Action plan ---------------------------------------------------------------------------


def _action_check(action: Action) -> None:
    if action.partner_id and action.partner.programme_id != action.programme_id:
        raise ValidationError({"partner": _("Choose a partner of this programme.")})
    if action.evaluation_id and action.evaluation.programme_id != action.programme_id:
        raise ValidationError({"evaluation": _("Choose an evaluation of this programme.")})
    action.full_clean()


@transaction.atomic
def action_create(
    *,
    actor: User,
    programme: Programme,
    title: str,
    owner: str,
    source: str,
    description: str = "",
    partner: Partner | None = None,
    status: str = Action.Status.PLANNED,
    due_on: datetime.date | None = None,
    evaluation: Evaluation | None = None,
) -> Action:
    """Add an action to the neighbourhood's action plan. Audited."""
    refuse_if_closed(programme)
    action = Action(
        organisation=programme.organisation,
        programme=programme,
        title=title,
        description=description,
        owner=owner,
        partner=partner,
        status=status,
        due_on=due_on,
        source=source,
        evaluation=evaluation,
    )
    _action_check(action)
    action.save()
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="action.created",
        obj=action,
        data={"title": action.title},
    )
    return action


@transaction.atomic
def action_update(*, actor: User, action: Action, **fields) -> Action:
    """Change an action (its status among the rest); audited with what changed, the status
    with its old and new value."""
    refuse_if_closed(action.programme)
    old_status = action.status
    changed = apply_changes(action, fields, allowed=ACTION_FIELDS)
    if not changed:
        return action
    _action_check(action)
    action.save(update_fields=changed)
    data = {"fields": changed}
    if "status" in changed:
        data["status"] = [old_status, action.status]
    audit_log(
        actor=actor,
        organisation=action.organisation,
        action="action.updated",
        obj=action,
        data=data,
    )
    return action


# --- Closing -------------------------------------------------------------------------------


@transaction.atomic
def programme_close(*, actor: User, programme: Programme, note: str = "") -> ProgrammeClosure:
    """Close a programme at its end: it becomes a read-only archive, its final report is made
    (a PDF on the client's documents page) and every member on the team is thanked by mail
    through the outbox. Closing twice is refused. Audited."""
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    if guidance_selectors.programme_is_closed(programme=programme, fresh=True):
        raise ValidationError(_("This programme has already been closed."))
    closure = ProgrammeClosure(
        organisation=programme.organisation, programme=programme, closed_by=actor, note=note
    )
    closure.full_clean()
    closure.save()
    members = guidance_selectors.members_to_thank(programme=programme)
    for user in members:
        mail_queue(
            organisation=programme.organisation,
            programme=programme,
            to=user.email,
            to_name=user.name,
            language=user.language or "nl",
            template="programmes/programme_thanks",
            context={"name": user.first_name, "note": note, "leader": actor},
        )
    closure.final_report = document_request(
        actor=actor,
        organisation=programme.organisation,
        programme=programme,
        kind=FINAL_REPORT,
        ref=str(programme.pk),
    )
    closure.thanked = len(members)
    closure.save(update_fields=["final_report", "thanked"])
    programme._closed = True
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="programme.closed",
        obj=programme,
        data={"thanked": len(members)},
    )
    return closure

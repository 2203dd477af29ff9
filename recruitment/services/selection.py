"""The selection: the consultancy moves applicants on, the client decides on the proposed
ones; a decision's e-mail is held for a while so the decision can be undone."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from programmes.mail import mail_hold, mail_queue, render_mail
from programmes.models import Invitation, TeamMember, User
from programmes.permissions import Role
from programmes.services import (
    invitation_create,
    invitation_revoke,
    outbox_cancel_held,
    outbox_held,
    team_member_add,
    team_member_remove,
)
from programmes.services.workflow import workflow_transition

from ..models import Application, ApplicationEvent
from ..notifications import candidate_proposed_notify
from ..workflow import FINAL, Stage, check_move, decided_by_client
from .applications import APPLICATION_WORKFLOW


def _move(
    *,
    actor,
    application: Application,
    stage: str,
    note: str,
    by_client: bool,
    fields: dict | None = None,
):
    """One step of the selection, checked in the consultancy's or the client's table
    (`recruitment.workflow`); `fields` are what the step also records (advice, reason)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    workflow_transition(
        workflow=APPLICATION_WORKFLOW,
        obj=application,
        actor=actor,
        new=stage,
        check=lambda current, new: check_move(current, new, by_client=by_client),
        fields=fields,
        allowed=("advice", "client_reason"),
        history={"note": note.strip()},
    )
    return application


@transaction.atomic
def application_move(
    *,
    actor: User,
    application: Application,
    stage: str,
    note: str = "",
    advice: str = "",
    hold_seconds: int | None = None,
) -> Application:
    """The consultancy moves an applicant a step; proposing needs advice for the client.
    "Not selected" mails the applicant: like the client's decision, the mail is held for
    `hold_seconds` (default DECISION_UNDO_SECONDS), so it can be undone until it leaves."""
    fields = {}
    if stage == Stage.PROPOSED:
        if not advice.strip():
            raise ValidationError({"advice": _("Give the client your advice on this applicant.")})
        fields["advice"] = advice.strip()
    application = _move(
        actor=actor,
        application=application,
        stage=stage,
        note=note,
        by_client=False,
        fields=fields,
    )
    if stage == Stage.NOT_SELECTED:
        with mail_hold(ref=decision_ref(application), seconds=hold_seconds):
            _outcome_mail(application)
    if stage == Stage.PROPOSED:
        candidate_proposed_notify(application=application)
    return application


def decision_ref(application: Application) -> str:
    """Tags the mail of the decision on `application` (the client's, or the project leader's
    "not selected"), so an undo can find it."""
    return f"recruitment.application:{application.pk}:decision"


@transaction.atomic
def application_decide(
    *,
    actor: User,
    application: Application,
    approve: bool,
    reason: str,
    hold_seconds: int | None = None,
) -> Application:
    """The client approves or declines a proposed applicant, with a reason. Approval invites
    the applicant to an account and onto the team; a decline sends a kind e-mail. The mail is
    held for `hold_seconds` (default DECISION_UNDO_SECONDS), so the decision can be undone
    until it leaves."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for your decision.")})
    stage = Stage.SELECTED if approve else Stage.NOT_SELECTED
    application = _move(
        actor=actor,
        application=application,
        stage=stage,
        note=reason,
        by_client=True,
        fields={"client_reason": reason.strip()},
    )
    with mail_hold(ref=decision_ref(application), seconds=hold_seconds):
        if approve:
            existing = User.objects.filter(email__iexact=application.email).first()
            if existing is None:
                invitation_create(
                    actor=actor,
                    organisation=application.organisation,
                    email=application.email,
                    name=application.name,
                    role=Role.TEAM_MEMBER,
                    programme=application.programme,
                )
            else:
                # Already a team member of this client (another programme): join this team
                # too, and hear about it.
                team_member_add(actor=actor, programme=application.programme, user=existing)
                mail_queue(
                    organisation=application.organisation,
                    programme=application.programme,
                    to=existing.email,
                    to_name=existing.name,
                    language=existing.language,
                    template="recruitment/application_selected",
                    context={"application": application},
                )
        else:
            _outcome_mail(application)
    return application


def _decision_events(application_ids) -> dict:
    """The step that made each of these applications selected or not selected (one query)."""
    events = ApplicationEvent.objects.filter(
        application_id__in=list(application_ids), to_stage__in=FINAL
    ).order_by("created_at", "id")
    return {event.application_id: event for event in events}


@transaction.atomic
def application_decision_undo(
    *, actor: User, application: Application, by_client: bool = True
) -> Application:
    """Take back a decision while its mail is still held: the client's (`by_client`) or the
    project leader's "not selected". The mail is cancelled (never sent), an invitation made
    by an approval is withdrawn, a team place given by it is taken back, and the applicant
    returns to the step they were at. Refused once the mail has left, and for a decision the
    other side made."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    event = _decision_events([application.pk]).get(application.pk)
    if (
        application.stage not in FINAL
        or event is None
        or event.to_stage != application.stage
        or decided_by_client(event.from_stage, event.to_stage) != by_client
    ):
        raise ValidationError(
            _("There is no decision on %(name)s to undo.") % {"name": application.name}
        )
    outbox_cancel_held(actor=actor, ref=decision_ref(application))
    decided, previous = application.stage, event.from_stage
    if decided == Stage.SELECTED:
        invitation = (
            Invitation.objects.filter(
                email__iexact=application.email,
                programme=application.programme,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
            )
            .order_by("-pk")
            .first()
        )
        if invitation is not None:
            invitation_revoke(actor=actor, invitation=invitation)
        else:
            for member in TeamMember.objects.filter(
                programme=application.programme,
                user__email__iexact=application.email,
                is_active=True,
            ):
                team_member_remove(actor=actor, member=member)
    # Not a move in the table: the way back to where the decision found the applicant, which
    # the checks above allow only while the decision's mail is held.
    workflow_transition(
        workflow=APPLICATION_WORKFLOW,
        obj=application,
        actor=actor,
        new=previous,
        check=None,
        fields={"client_reason": ""} if by_client else None,
        allowed=("client_reason",),
        history={"note": _("Decision undone before the e-mail was sent.")},
        action="application.decision_undone",
    )
    return application


def decision_mail_preview(*, application: Application, approve: bool) -> dict:
    """The e-mail the applicant will get for this decision, as the confirmation shows it:
    subject and text (the personal link of an invitation shown as a placeholder)."""
    organisation, programme = application.organisation, application.programme
    context = {"application": application, "organisation": organisation, "programme": programme}
    if not approve:
        template = "recruitment/application_not_selected"
    elif User.objects.filter(email__iexact=application.email).exists():
        template = "recruitment/application_selected"
    else:
        template = "programmes/invitation"
        context.update(
            invitation={"name": application.name},
            role=Role(Role.TEAM_MEMBER).label,
            link=_("(a personal link)"),
            valid_days=settings.INVITATION_VALID_DAYS,
        )
    subject, text, _html = render_mail(
        template=template, context=context, language=translation.get_language() or "nl"
    )
    return {"subject": subject, "text": text}


def decisions_held(*, applications, by_client: bool | None = None) -> dict:
    """For each decided application whose mail is still held: until when (one query; one
    more to keep only the client's decisions or only the consultancy's, by `by_client`)."""
    refs = {decision_ref(a): a.pk for a in applications}
    held = {refs[ref]: until for ref, until in outbox_held(refs=refs).items()}
    if by_client is None or not held:
        return held
    events = _decision_events(held)
    return {
        pk: until
        for pk, until in held.items()
        if pk in events
        and decided_by_client(events[pk].from_stage, events[pk].to_stage) == by_client
    }


def _outcome_mail(application: Application) -> None:
    mail_queue(
        organisation=application.organisation,
        programme=application.programme,
        to=application.email,
        to_name=application.name,
        template="recruitment/application_not_selected",
        context={"application": application},
    )

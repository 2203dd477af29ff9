"""Every write of the recruitment app: applications and the selection with the client."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.mail import mail_queue
from programmes.models import Programme, User
from programmes.permissions import Role
from programmes.services import invitation_create, team_member_add

from .models import Application, ApplicationEvent, Campaign
from .workflow import Stage, check_move


def consent_text(*, programme: Programme, campaign: Campaign) -> str:
    """The consent an applicant gives, in words they can read (stored with the application)."""
    return _(
        "I agree that %(consultancy)s and %(client)s use my name, contact details, address, "
        "motivation and availability to select the members of %(programme)s. They are not used "
        "for anything else and are deleted %(months)s months after my application if I am not "
        "selected."
    ) % {
        "consultancy": programme.organisation.consultancy.name,
        "client": programme.organisation.name,
        "programme": programme.name,
        "months": campaign.retention_months,
    }


def campaign_for(*, programme: Programme) -> Campaign:
    campaign, _created = Campaign.objects.get_or_create(
        organisation=programme.organisation, programme=programme
    )
    return campaign


@transaction.atomic
def campaign_save(*, actor: User, programme: Programme, **fields) -> Campaign:
    campaign = campaign_for(programme=programme)
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.full_clean(exclude=["organisation", "programme"])
    campaign.save()
    audit_log(
        actor=actor, organisation=programme.organisation, action="campaign.saved", obj=campaign
    )
    return campaign


@transaction.atomic
def application_submit(
    *,
    programme: Programme,
    consent: str,
    source=Application.Source.ONLINE,
    actor: User | None = None,
    **fields,
) -> Application:
    """Store an application with the consent text the applicant saw; confirm by e-mail."""
    campaign = campaign_for(programme=programme)
    if source == Application.Source.ONLINE and not campaign.is_open:
        raise ValidationError(_("Applications for this team are closed."))
    if not consent:
        raise ValidationError(
            {"consent": _("Without your consent we cannot handle your application.")}
        )
    now = timezone.now()
    application = Application(
        organisation=programme.organisation,
        programme=programme,
        source=source,
        consent_text=consent,
        consent_at=now,
        keep_until=(now + timedelta(days=31 * campaign.retention_months)).date(),
        **fields,
    )
    application.email = application.email.strip().lower()
    application.full_clean()
    application.save()
    ApplicationEvent.objects.create(
        organisation=application.organisation,
        application=application,
        actor=actor,
        to_stage=Stage.APPLIED,
    )
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="application.received",
        obj=application,
        data={"source": source},
    )
    mail_queue(
        organisation=programme.organisation,
        programme=programme,
        to=application.email,
        to_name=application.name,
        template="recruitment/application_received",
        context={"application": application},
    )
    return application


def _move(*, actor, application: Application, stage: str, note: str, by_client: bool):
    application = Application.objects.select_for_update().get(pk=application.pk)
    check_move(application.stage, stage, by_client=by_client)
    previous = application.stage
    application.stage = stage
    application.save(update_fields=["stage"])
    ApplicationEvent.objects.create(
        organisation=application.organisation,
        application=application,
        actor=actor,
        from_stage=previous,
        to_stage=stage,
        note=note.strip(),
    )
    audit_log(
        actor=actor,
        organisation=application.organisation,
        action=f"application.{stage}",
        obj=application,
        data={"from": previous},
    )
    return application


@transaction.atomic
def application_move(
    *, actor: User, application: Application, stage: str, note: str = "", advice: str = ""
) -> Application:
    """The consultancy moves an applicant a step; proposing needs advice for the client."""
    if stage == Stage.PROPOSED:
        if not advice.strip():
            raise ValidationError({"advice": _("Give the client your advice on this applicant.")})
        Application.objects.filter(pk=application.pk).update(advice=advice.strip())
    application = _move(
        actor=actor, application=application, stage=stage, note=note, by_client=False
    )
    if stage == Stage.NOT_SELECTED:
        _outcome_mail(application)
    return application


@transaction.atomic
def application_decide(
    *, actor: User, application: Application, approve: bool, reason: str
) -> Application:
    """The client approves or declines a proposed applicant, with a reason. Approval invites
    the applicant to an account and onto the team; a decline sends a kind e-mail."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for your decision.")})
    stage = Stage.SELECTED if approve else Stage.NOT_SELECTED
    application = _move(
        actor=actor, application=application, stage=stage, note=reason, by_client=True
    )
    Application.objects.filter(pk=application.pk).update(client_reason=reason.strip())
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
            # Already a team member of this client (another programme): join this team too.
            team_member_add(actor=actor, programme=application.programme, user=existing)
    else:
        _outcome_mail(application)
    return application


def _outcome_mail(application: Application) -> None:
    mail_queue(
        organisation=application.organisation,
        programme=application.programme,
        to=application.email,
        to_name=application.name,
        template="recruitment/application_not_selected",
        context={"application": application},
    )


def applications_delete_expired(*, today=None) -> int:
    """Delete applications past their retention date that did not lead to a team membership
    (the consent covered the selection only)."""
    today = today or timezone.localdate()
    expired = Application.objects.filter(keep_until__lt=today).exclude(stage=Stage.SELECTED)
    count, _detail = expired.delete()
    return count

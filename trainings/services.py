"""Every write of the trainings app: the track, the workshop's verdicts and certificates."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Programme, TeamMember, User
from programmes.services import document_request, invitee_add, meeting_create

from .models import Assessment, Certificate, Training

TRACK = [
    (
        Training.Kind.INTRODUCTION,
        "Kennismakingsbijeenkomst",
        "Kennismaken met elkaar, de wijkbeheerder en sociaal beheer.",
    ),
    (
        Training.Kind.WORKSHOP,
        "Workshop Effectief Communiceren",
        "Hoe spreek je bewoners aan op ongewenst gedrag en hoe ga je om met agressie?",
    ),
    (
        Training.Kind.INSTRUCTION,
        "Instructiebijeenkomst",
        "De spelregels, de samenwerking met de opdrachtgever en de inspanningsverplichting.",
    ),
]


@transaction.atomic
def track_create(
    *, actor: User, programme: Programme, starts: dict, location: str, trainer: str = ""
) -> list[Training]:
    """Plan the three training meetings from the template; `starts` maps kind to a moment."""
    if programme.trainings.exists():
        raise ValidationError(_("This programme already has a training track."))
    trainings = []
    for kind, title, description in TRACK:
        start = starts.get(kind)
        if start is None:
            raise ValidationError({kind: _("Choose a date and time.")})
        meeting = meeting_create(
            actor=actor,
            programme=programme,
            kind=kind,
            title=title,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            location=location,
            description=description,
        )
        trainings.append(
            Training.objects.create(
                organisation=programme.organisation,
                programme=programme,
                kind=kind,
                meeting=meeting,
                trainer=trainer if kind == Training.Kind.WORKSHOP else "",
            )
        )
    return trainings


@transaction.atomic
def team_invite(*, actor: User, training: Training) -> int:
    """Invite every active team member to a training (each once)."""
    invited = 0
    existing = set(training.meeting.invitees.values_list("email", flat=True))
    for member in TeamMember.objects.filter(
        programme=training.programme, is_active=True
    ).select_related("user"):
        if member.user.email not in existing:
            invitee_add(
                actor=actor,
                meeting=training.meeting,
                name=member.user.name,
                email=member.user.email,
                user=member.user,
                language=member.user.language,
            )
            invited += 1
    return invited


@transaction.atomic
def assessment_record(
    *, actor: User, training: Training, user: User, passed: bool, note: str = ""
) -> Assessment:
    """The trainer's verdict; passing the workshop issues the certificate (once)."""
    if training.kind != Training.Kind.WORKSHOP:
        raise ValidationError(_("Only the workshop is assessed."))
    if not TeamMember.objects.filter(programme=training.programme, user=user).exists():
        raise ValidationError(_("Only members of this team are assessed."))
    assessment, _created = Assessment.objects.update_or_create(
        training=training,
        user=user,
        defaults={
            "organisation": training.organisation,
            "passed": passed,
            "note": note.strip(),
            "assessed_by": actor,
            "assessed_at": timezone.now(),
        },
    )
    audit_log(
        actor=actor,
        organisation=training.organisation,
        action="assessment.recorded",
        obj=assessment,
        data={"passed": passed},
    )
    if passed and not Certificate.objects.filter(assessment=assessment).exists():
        certificate_issue(actor=actor, assessment=assessment)
    return assessment


@transaction.atomic
def certificate_issue(*, actor: User, assessment: Assessment) -> Certificate:
    """Issue the certificate of a passed workshop; the PDF is made and mailed in the background."""
    if not assessment.passed:
        raise ValidationError(_("A certificate is only issued to someone who passed."))
    training = assessment.training
    certificate = Certificate.objects.create(
        organisation=training.organisation,
        programme=training.programme,
        user=assessment.user,
        assessment=assessment,
        holder_name=assessment.user.name,
        trainer=training.trainer,
        issued_on=timezone.localdate(),
    )
    certificate.document = document_request(
        actor=actor,
        organisation=training.organisation,
        programme=training.programme,
        kind="certificate",
        ref=str(certificate.pk),
        owner=assessment.user,
    )
    certificate.save(update_fields=["document"])
    audit_log(
        actor=actor,
        organisation=training.organisation,
        action="certificate.issued",
        obj=certificate,
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    if certificate.revoked_at is None:
        certificate.revoked_at = timezone.now()
        certificate.revoked_reason = reason.strip()
        certificate.save(update_fields=["revoked_at", "revoked_reason"])
        audit_log(
            actor=actor,
            organisation=certificate.organisation,
            action="certificate.revoked",
            obj=certificate,
            data={"reason": certificate.revoked_reason},
        )
    return certificate


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate with this code in the active (organisation) scope, or None."""
    code = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(code) != 16:
        return None
    formatted = "-".join(code[i : i + 4] for i in range(0, 16, 4))
    return Certificate.objects.filter(code=formatted).first()

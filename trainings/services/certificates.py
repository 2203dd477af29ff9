"""The workshop's verdicts and the certificates they earn: issue (one at a verdict, or for the
whole track at once in a bulk job), revoke (with a held mail that can be undone) and look up
by code."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.mail import mail_hold, mail_queue, render_mail
from programmes.models import Invitee, Progress, User
from programmes.selectors import is_on_roster, roster
from programmes.services import (
    document_request,
    outbox_cancel_held,
    outbox_held,
    programme_progress_record,
)
from programmes.services.bulk import SYNC_MAX, bulk_job_start
from programmes.services.common import apply_changes

from ..documents import CERTIFICATE
from ..models import Assessment, Certificate, Training
from .readiness import readiness_update

REVOKE_FIELDS = ("revoked_at", "revoked_reason")


@transaction.atomic
def assessment_record(
    *, actor: User, training: Training, user: User, passed: bool, note: str = ""
) -> Assessment:
    """The trainer's verdict; passing the workshop issues the certificate (once)."""
    if training.kind != Training.Kind.WORKSHOP:
        raise ValidationError(_("Only the workshop is assessed."))
    if not is_on_roster(programme=training.programme, user=user, include_inactive=True):
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
    readiness_update(programme=training.programme, user=user)
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
    document = document_request(
        actor=actor,
        organisation=training.organisation,
        programme=training.programme,
        kind=CERTIFICATE,
        ref=str(certificate.pk),
        owner=assessment.user,
    )
    certificate.save(
        update_fields=apply_changes(certificate, {"document": document}, allowed=("document",))
    )
    audit_log(
        actor=actor,
        organisation=training.organisation,
        action="certificate.issued",
        obj=certificate,
    )
    programme_progress_record(
        programme=training.programme, event=Progress.CERTIFICATES_ISSUED, actor=actor
    )
    return certificate


# The bulk job kind of issuing the certificates of a whole track (registered in apps.py).
CERTIFICATES_ISSUE = "trainings.certificates_issue"


def _attended(training: Training, user_ids=None) -> set[int]:
    """The users marked present at the training's meeting."""
    present = Invitee.objects.filter(meeting=training.meeting, attended=True, user__isnull=False)
    if user_ids is not None:
        present = present.filter(user_id__in=user_ids)
    return set(present.values_list("user_id", flat=True))


def certificates_due(*, training: Training) -> list[int]:
    """The active members of the workshop's team a certificate is due to, in four queries:
    who passed without one, and who was present and not assessed yet (issuing records them
    as passed); by name."""
    verdicts = dict(Assessment.objects.filter(training=training).values_list("user_id", "passed"))
    certified = set(
        Certificate.objects.filter(assessment__training=training).values_list("user_id", flat=True)
    )
    present = _attended(training)
    return [
        user_id
        for user_id in roster(programme=training.programme).values_list("user_id", flat=True)
        if (user_id not in verdicts and user_id in present)
        or (verdicts.get(user_id) and user_id not in certified)
    ]


def _certify(*, actor, training: Training, user_ids) -> tuple[int, int]:
    """Issue the certificates of `user_ids` (see `certificates_due`), each in its own
    savepoint: (issued, failed). Whoever has one by now, was assessed otherwise or was not
    present is skipped, so running it again issues nobody a second certificate."""
    verdicts = {
        a.user_id: a for a in Assessment.objects.filter(training=training, user_id__in=user_ids)
    }
    certified = set(
        Certificate.objects.filter(assessment__in=list(verdicts.values())).values_list(
            "assessment_id", flat=True
        )
    )
    present = _attended(training, user_ids)
    users = list(User.objects.filter(pk__in=user_ids).order_by("pk"))
    issued, failed = 0, len(set(user_ids)) - len(users)  # an account deleted meanwhile
    for user in users:
        verdict = verdicts.get(user.pk)
        try:
            with transaction.atomic():
                if verdict is None and user.pk in present:
                    assessment_record(actor=actor, training=training, user=user, passed=True)
                    issued += 1
                elif verdict is not None and verdict.passed and verdict.pk not in certified:
                    certificate_issue(actor=actor, assessment=verdict)
                    issued += 1
        except ValidationError:  # no longer on the team, say
            failed += 1
    return issued, failed


def certificates_issue_chunk(job, user_ids: list[int]) -> int:
    """Issue one chunk of a track's certificates (the workshop in `job.payload`), PDFs made
    and mailed in the background as for one; returns how many failed."""
    training = Training.objects.select_related("programme", "meeting").get(
        pk=job.payload["training"]
    )
    return _certify(actor=job.requested_by, training=training, user_ids=user_ids)[1]


@transaction.atomic
def certificates_issue_start(*, actor: User, training: Training):
    """Issue the certificates of the whole track (`certificates_due`): up to SYNC_MAX in the
    request (returns how many were issued), more by a bulk job in the background whose
    progress the track page shows (returns the `BulkJob`)."""
    if training.kind != Training.Kind.WORKSHOP:
        raise ValidationError(_("Only the workshop is assessed."))
    user_ids = certificates_due(training=training)
    if not user_ids:
        raise ValidationError(
            _(
                "No certificates to issue: everyone who passed has one. Mark who was present "
                "at the workshop first."
            )
        )
    if len(user_ids) <= SYNC_MAX:
        return _certify(actor=actor, training=training, user_ids=user_ids)[0]
    return bulk_job_start(
        actor=actor,
        kind=CERTIFICATES_ISSUE,
        programme=training.programme,
        items=user_ids,
        payload={"training": training.pk},
    )


def revoke_ref(certificate: Certificate) -> str:
    """Tags the mail that tells the holder of a revocation, so an undo can find it."""
    return f"trainings.certificate:{certificate.pk}:revoke"


@transaction.atomic
def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate and tell its holder by e-mail; the mail is held for
    DECISION_UNDO_SECONDS, so the revocation can be undone until it leaves."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=certificate.pk)
    )
    if certificate.revoked_at is None:
        certificate.save(
            update_fields=apply_changes(
                certificate,
                {"revoked_at": timezone.now(), "revoked_reason": reason.strip()},
                allowed=REVOKE_FIELDS,
            )
        )
        audit_log(
            actor=actor,
            organisation=certificate.organisation,
            action="certificate.revoked",
            obj=certificate,
            data={"reason": certificate.revoked_reason},
        )
        mail = _revoke_mail(certificate)
        if mail is not None:  # None: the holder's account was deleted, nobody to tell
            with mail_hold(ref=revoke_ref(certificate)):
                mail_queue(**mail)
    return certificate


def _revoke_mail(certificate: Certificate) -> dict | None:
    if certificate.user is None:
        return None
    return {
        "organisation": certificate.organisation,
        "programme": certificate.programme,
        "to": certificate.user.email,
        "to_name": certificate.holder_name,
        "language": certificate.user.language,
        "template": "trainings/certificate_revoked",
        "context": {"certificate": certificate},
    }


def certificate_revoke_preview(*, certificate: Certificate, reason: str) -> dict | None:
    """The e-mail the holder will get when the certificate is revoked (for the confirmation);
    None when the holder's account was deleted and nobody is mailed."""
    certificate.revoked_reason = reason.strip()
    mail = _revoke_mail(certificate)
    if mail is None:
        return None
    subject, text, _html = render_mail(
        template=mail["template"],
        context={
            "organisation": mail["organisation"],
            "programme": mail["programme"],
            **mail["context"],
        },
        language=mail["language"],
    )
    return {"to": mail["to_name"], "subject": subject, "text": text}


@transaction.atomic
def certificate_revoke_undo(*, actor: User, certificate: Certificate) -> Certificate:
    """Take a revocation back while its mail is still held: the mail is cancelled (never
    sent) and the certificate is valid again. Refused once the mail has left."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is None:
        raise ValidationError(_("This certificate is not revoked."))
    outbox_cancel_held(actor=actor, ref=revoke_ref(certificate))
    certificate.save(
        update_fields=apply_changes(
            certificate, {"revoked_at": None, "revoked_reason": ""}, allowed=REVOKE_FIELDS
        )
    )
    audit_log(
        actor=actor,
        organisation=certificate.organisation,
        action="certificate.revoke_undone",
        obj=certificate,
    )
    return certificate


def certificate_revokes_held(*, certificates) -> dict:
    """For each revoked certificate whose mail is still held: until when (one query)."""
    refs = {revoke_ref(c): c.pk for c in certificates if c.revoked_at}
    return {refs[ref]: until for ref, until in outbox_held(refs=refs).items()}


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate with this code in the active (organisation) scope, or None."""
    code = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(code) != 16:
        return None
    formatted = "-".join(code[i : i + 4] for i in range(0, 16, 4))
    return Certificate.objects.filter(code=formatted).first()

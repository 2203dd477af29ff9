"""Every write of the trainings app: the track, the workshop's verdicts and certificates."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Programme, TeamMember, User
from programmes.services import document_request, invitee_add, meeting_create

from .models import (
    Assessment,
    Certificate,
    Gear,
    RulesAcceptance,
    StreetAssignment,
    TeamRules,
    Training,
)

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


# --- Rules, readiness, gear and streets ---------------------------------------------------

DEFAULT_RULES = (
    "1. Je loopt rondes met minstens één ander teamlid.\n"
    "2. Je spreekt bewoners vriendelijk aan en gaat nooit de discussie aan bij agressie.\n"
    "3. Je meldt wat je ziet via de app; spoed meld je ook telefonisch.\n"
    "4. Je houdt je aan de inspanningsverplichting: de afgesproken rondes en uren per maand.\n"
    "5. Je draagt tijdens rondes de bodywarmer van het team."
)


@transaction.atomic
def rules_save(*, actor: User, programme: Programme, text: str) -> TeamRules:
    if not text.strip():
        raise ValidationError({"text": _("Write the rules of the team.")})
    rules, _created = TeamRules.objects.update_or_create(
        programme=programme,
        defaults={
            "organisation": programme.organisation,
            "text": text.strip(),
            "updated_at": timezone.now(),
        },
    )
    audit_log(actor=actor, organisation=programme.organisation, action="rules.saved", obj=rules)
    return rules


def rules_for(*, programme: Programme) -> TeamRules:
    rules = TeamRules.objects.filter(programme=programme).first()
    return rules or TeamRules(
        organisation=programme.organisation, programme=programme, text=DEFAULT_RULES
    )


@transaction.atomic
def rules_accept(*, user: User, programme: Programme) -> RulesAcceptance:
    """Keep the exact text the member accepted, with the moment; then see if they are ready."""
    if not TeamMember.objects.filter(programme=programme, user=user, is_active=True).exists():
        raise ValidationError(_("Only members of this team accept its rules."))
    acceptance = RulesAcceptance.objects.create(
        organisation=programme.organisation,
        programme=programme,
        user=user,
        text=rules_for(programme=programme).text,
    )
    audit_log(
        actor=user, organisation=programme.organisation, action="rules.accepted", obj=acceptance
    )
    readiness_update(programme=programme, user=user)
    return acceptance


def readiness(*, programme: Programme, user: User) -> dict:
    """What a member still needs before rounds: the introduction and instruction meetings
    attended, the workshop passed, the rules accepted."""
    from programmes.models import Invitee

    attended = set(
        Invitee.objects.filter(
            meeting__training__programme=programme, user=user, attended=True
        ).values_list("meeting__training__kind", flat=True)
    )
    return {
        "introduction": Training.Kind.INTRODUCTION in attended,
        "instruction": Training.Kind.INSTRUCTION in attended,
        "workshop": Assessment.objects.filter(
            training__programme=programme,
            training__kind=Training.Kind.WORKSHOP,
            user=user,
            passed=True,
        ).exists(),
        "rules": RulesAcceptance.objects.filter(programme=programme, user=user).exists(),
    }


def readiness_update(*, programme: Programme, user: User) -> bool:
    """Mark the member ready on the roster once the whole track is done (the roster is what
    the patrols app reads). An override by the project leader is left alone."""
    from programmes.services import team_member_set_ready

    member = TeamMember.objects.filter(programme=programme, user=user).first()
    if member is None or member.ready_for_rounds:
        return bool(member and member.ready_for_rounds)
    if all(readiness(programme=programme, user=user).values()):
        team_member_set_ready(actor=None, member=member, ready=True)
        return True
    return False


@transaction.atomic
def gear_sizes_save(
    *, user: User, programme: Programme, bodywarmer_size: str, shirt_size: str
) -> Gear:
    if not TeamMember.objects.filter(programme=programme, user=user, is_active=True).exists():
        raise ValidationError(_("Only members of this team order gear."))
    gear, _created = Gear.objects.get_or_create(
        organisation=programme.organisation, programme=programme, user=user
    )
    gear.bodywarmer_size, gear.shirt_size = bodywarmer_size, shirt_size
    gear.full_clean(exclude=["organisation", "programme", "user"])
    gear.save(update_fields=["bodywarmer_size", "shirt_size"])
    return gear


GEAR_ITEMS = ("bodywarmer_given", "shirt_given", "certificate_given", "folder_given")


@transaction.atomic
def gear_hand_out(*, actor: User, gear: Gear, item: str, given: bool) -> Gear:
    if item not in GEAR_ITEMS:
        raise ValidationError(_("Unknown item."))
    setattr(gear, item, given)
    gear.save(update_fields=[item])
    return gear


def gear_order_list(*, programme: Programme) -> dict:
    """How many bodywarmers and shirts of each size to order; two queries."""
    from django.db.models import Count

    def counts(field):
        rows = (
            Gear.objects.filter(programme=programme)
            .exclude(**{field: ""})
            .values(field)
            .annotate(n=Count("id"))
        )
        found = {r[field]: r["n"] for r in rows}
        return [(size, found.get(size, 0)) for size in Gear.Size.values]

    return {"bodywarmer": counts("bodywarmer_size"), "shirt": counts("shirt_size")}


@transaction.atomic
def streets_divide(*, actor: User, programme: Programme, streets: list[str]) -> int:
    """Divide the streets among the active members in turn; streets already given keep their
    member. Returns how many new streets were given out."""
    members = list(
        TeamMember.objects.filter(programme=programme, is_active=True)
        .order_by("user__name")
        .values_list("user_id", flat=True)
    )
    if not members:
        raise ValidationError(_("There are no team members to divide the streets among."))
    known = set(
        StreetAssignment.objects.filter(programme=programme).values_list("street", flat=True)
    )
    new = [s.strip() for s in dict.fromkeys(streets) if s.strip() and s.strip() not in known]
    StreetAssignment.objects.bulk_create(
        StreetAssignment(
            organisation=programme.organisation,
            programme=programme,
            street=street,
            user_id=members[i % len(members)],
        )
        for i, street in enumerate(new)
    )
    return len(new)


@transaction.atomic
def street_delivered(
    *, user: User, assignment: StreetAssignment, delivered: bool
) -> StreetAssignment:
    if assignment.user_id != user.pk:
        raise ValidationError(_("This street is someone else's."))
    assignment.delivered_at = timezone.now() if delivered else None
    assignment.save(update_fields=["delivered_at"])
    return assignment


def introduction_for(*, programme: Programme):
    from .models import TeamIntroduction

    return TeamIntroduction.objects.filter(programme=programme).first() or TeamIntroduction(
        organisation=programme.organisation, programme=programme
    )


@transaction.atomic
def introduction_save(*, actor: User, programme: Programme, contact: str, photo=None):
    """The team photo (checked and re-encoded, without EXIF) and how to reach the team."""
    from programmes.images import reencode_image

    intro = introduction_for(programme=programme)
    if contact.strip():
        intro.contact = contact.strip()
    if photo is not None:
        image = reencode_image(
            photo,
            max_bytes=15 * 1024 * 1024,
            max_side=2400,
            allowed=("JPEG", "PNG", "HEIF"),
            output="JPEG",
        )
        intro.photo.save(image.name, image, save=False)
    intro.save()
    audit_log(
        actor=actor, organisation=programme.organisation, action="introduction.saved", obj=intro
    )
    return intro

"""Every write of the trainings app: the track, the workshop's verdicts and certificates."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.files import file_delete_on_commit
from programmes.mail import mail_hold, mail_queue, render_mail
from programmes.models import Programme, Progress, TeamMember, User
from programmes.readiness import register_readiness_check, register_readiness_explainer
from programmes.services import (
    document_request,
    invitee_add,
    meeting_create,
    outbox_cancel_held,
    outbox_held,
    programme_progress_record,
)

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
    programme_progress_record(
        programme=training.programme, event=Progress.CERTIFICATES_ISSUED, actor=actor
    )
    return certificate


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
        Certificate.objects.select_for_update().select_related("user").get(pk=certificate.pk)
    )
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
    certificate.revoked_at = None
    certificate.revoked_reason = ""
    certificate.save(update_fields=["revoked_at", "revoked_reason"])
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


def track_progress(*, programme: Programme, user_ids) -> dict[int, dict]:
    """Each member's way through the track in three queries, whatever the team's size:
    {user_id: {"introduction": bool, "workshop": True/False/None (not assessed yet),
    "instruction": bool, "rules": bool}}."""
    from programmes.models import Invitee

    user_ids = list(user_ids)
    progress = {
        uid: {"introduction": False, "workshop": None, "instruction": False, "rules": False}
        for uid in user_ids
    }
    attended = Invitee.objects.filter(
        meeting__training__programme=programme, user_id__in=user_ids, attended=True
    ).values_list("user_id", "meeting__training__kind")
    for uid, kind in attended:
        if kind in (Training.Kind.INTRODUCTION, Training.Kind.INSTRUCTION):
            progress[uid][kind] = True
    verdicts = Assessment.objects.filter(
        training__programme=programme,
        training__kind=Training.Kind.WORKSHOP,
        user_id__in=user_ids,
    ).values_list("user_id", "passed")
    for uid, passed in verdicts:
        progress[uid]["workshop"] = passed
    accepted = RulesAcceptance.objects.filter(programme=programme, user_id__in=user_ids)
    for uid in accepted.values_list("user_id", flat=True).distinct():
        progress[uid]["rules"] = True
    return progress


def readiness(*, programme: Programme, user: User) -> dict:
    """What a member still needs before rounds: the introduction and instruction meetings
    attended, the workshop passed, the rules accepted."""
    progress = track_progress(programme=programme, user_ids=[user.pk])[user.pk]
    return {key: bool(done) for key, done in progress.items()}


def _missing(progress: dict) -> list[str]:
    missing = []
    if not progress["introduction"]:
        missing.append(_("introduction meeting not attended"))
    if progress["workshop"] is None:
        missing.append(_("workshop not assessed yet"))
    elif not progress["workshop"]:
        missing.append(_("workshop not passed"))
    if not progress["instruction"]:
        missing.append(_("instruction meeting not attended"))
    if not progress["rules"]:
        missing.append(_("rules not accepted"))
    return missing


@register_readiness_explainer
def readiness_reasons(*, programme: Programme, members) -> dict[int, str]:
    """Why each member (a `TeamMember` row) may walk rounds or not yet, in one line, e.g.
    "Klaar: certificaat en spelregels" or "Nog niet: workshop niet gehaald". Registered with
    the base (`programmes.readiness`) so the phone app shows the same words."""
    members = list(members)
    progress = track_progress(programme=programme, user_ids=[m.user_id for m in members])
    reasons = {}
    for member in members:
        missing = _missing(progress[member.user_id])
        if member.ready_for_rounds:
            if member.ready_reason:
                reason = _("Released by the project leader: %(reason)s") % {
                    "reason": member.ready_reason
                }
            elif not missing:
                reason = _("Ready: certificate and rules")
            else:
                reason = _("Ready, but: %(missing)s") % {"missing": ", ".join(missing)}
        elif not missing:
            reason = _("Not yet: held back by the project leader")
        else:
            reason = _("Not yet: %(missing)s") % {"missing": ", ".join(missing)}
        reasons[member.user_id] = reason
    return reasons


@register_readiness_check
def readiness_missing_for_member(*, member: TeamMember) -> list[str]:
    """What a member who is not ready still misses, addressed to them (the phone app says
    "Je kunt nog geen rondes lopen: je hebt de workshop nog niet gehaald")."""
    progress = track_progress(programme=member.programme, user_ids=[member.user_id])
    done = progress[member.user_id]
    missing = []
    if not done["workshop"]:
        missing.append(_("you have not passed the workshop yet"))
    if not done["rules"]:
        missing.append(_("you have not accepted the rules yet"))
    if not done["introduction"]:
        missing.append(_("you have not been to the introduction meeting yet"))
    if not done["instruction"]:
        missing.append(_("you have not been to the instruction meeting yet"))
    return missing


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
    """Tick (or untick) one thing handed out at the kickoff: bodywarmer, shirt, certificate
    or information folder."""
    if item not in GEAR_ITEMS:
        raise ValidationError(_("Unknown item."))
    if getattr(gear, item) != given:
        setattr(gear, item, given)
        gear.save(update_fields=[item])
        audit_log(
            actor=actor,
            organisation=gear.organisation,
            action="gear.handed_out",
            obj=gear,
            data={"item": item, "given": given},
        )
    return gear


@transaction.atomic
def gear_hand_out_to(
    *, actor: User, programme: Programme, user: User, item: str, given: bool
) -> Gear:
    """`gear_hand_out` for a member, also one who has not chosen sizes (yet): a certificate
    and a folder need no size."""
    if not TeamMember.objects.filter(programme=programme, user=user, is_active=True).exists():
        raise ValidationError(_("Only members of this team receive gear."))
    gear, _created = Gear.objects.get_or_create(
        organisation=programme.organisation, programme=programme, user=user
    )
    return gear_hand_out(actor=actor, gear=gear, item=item, given=given)


def gear_order_list(*, programme: Programme) -> dict:
    """How many bodywarmers and shirts of each size to order, counted in one SQL query:
    {"bodywarmer": [(size, n), ...], "shirt": [...], "bodywarmer_total": n, "shirt_total": n}."""
    from django.db.models import Count, Q

    sizes = Gear.Size.values
    fields = {"bodywarmer": "bodywarmer_size", "shirt": "shirt_size"}
    row = Gear.objects.filter(programme=programme).aggregate(
        **{
            f"{key}_{i}": Count("id", filter=Q(**{field: size}))
            for key, field in fields.items()
            for i, size in enumerate(sizes)
        }
    )
    order = {}
    for key in fields:
        order[key] = [(size, row[f"{key}_{i}"]) for i, size in enumerate(sizes)]
        order[f"{key}_total"] = sum(n for _size, n in order[key])
    return order


def street_coverage(*, programme: Programme) -> dict:
    """{"delivered": n, "total": n}: how many of the streets got the introduction flyer."""
    from django.db.models import Count, Q

    return StreetAssignment.objects.filter(programme=programme).aggregate(
        total=Count("id"), delivered=Count("id", filter=Q(delivered_at__isnull=False))
    )


MAX_STREETS = 1000


def _clean_streets(streets: list[str]) -> list[str]:
    cleaned = [s.strip() for s in dict.fromkeys(s.strip() for s in streets) if s.strip()]
    too_long = [s for s in cleaned if len(s) > 200]
    if too_long:
        raise ValidationError(
            _("A street name is at most 200 characters: %(street)s")
            % {"street": too_long[0][:40] + "…"}
        )
    if len(cleaned) > MAX_STREETS:
        raise ValidationError(_("At most %(n)s streets at a time.") % {"n": MAX_STREETS})
    return cleaned


@transaction.atomic
def streets_save(*, actor: User, programme: Programme, streets: list[str]) -> tuple[int, int]:
    """Make the list of streets for the flyer this list: new streets are divided among the
    team, listed ones keep their member and delivery, and streets left out are dropped unless
    they were delivered already. Returns (added, removed)."""
    wanted = _clean_streets(streets)
    removable = StreetAssignment.objects.filter(
        programme=programme, delivered_at__isnull=True
    ).exclude(street__in=wanted)
    removed, _detail = removable.delete()
    added = streets_divide(actor=actor, programme=programme, streets=wanted) if wanted else 0
    if added or removed:
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="streets.saved",
            obj=programme,
            data={"added": added, "removed": removed},
        )
    return added, removed


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
    new = [s for s in _clean_streets(streets) if s not in known]
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
    old_photo = intro.photo.name
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
    if old_photo and old_photo != intro.photo.name:
        file_delete_on_commit(old_photo)  # the replaced photo, once this is committed
    audit_log(
        actor=actor, organisation=programme.organisation, action="introduction.saved", obj=intro
    )
    return intro

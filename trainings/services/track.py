"""The training track: its three meetings, inviting the team and who attended what."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Invitee, Programme, User
from programmes.selectors import roster
from programmes.services import invited_emails, invitee_add_once, meeting_create
from programmes.services.bulk import bulk_job_start

from ..models import Assessment, RulesAcceptance, Training

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
        training = Training(
            organisation=programme.organisation,
            programme=programme,
            kind=kind,
            meeting=meeting,
            trainer=trainer if kind == Training.Kind.WORKSHOP else "",
        )
        training.full_clean(exclude=["organisation", "programme", "meeting"])
        training.save()
        trainings.append(training)
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="training_track.created",
        obj=programme,
        data={"trainings": [t.pk for t in trainings], "trainer": trainer},
    )
    return trainings


@transaction.atomic
def team_invite(*, actor: User, training: Training) -> int:
    """Invite every active team member to a training (each once: whoever was invited before
    is skipped, see `invitee_add_once`); returns how many were invited now."""
    invited = 0
    already = invited_emails(training.meeting)
    for member in roster(programme=training.programme):
        if invitee_add_once(
            actor=actor,
            meeting=training.meeting,
            name=member.user.name,
            email=member.user.email,
            invited=already,
            user=member.user,
            language=member.user.language,
        ):
            invited += 1
    return invited


# The bulk job kind of inviting a team to a training (registered in apps.py).
TEAM_INVITE = "trainings.team_invite"
# A team larger than this is invited by a bulk job in the background, with a progress bar.
TEAM_INVITE_SYNC_MAX = 20


def team_invite_chunk(job, user_ids: list[int]) -> int:
    """Invite one chunk of a team-invite bulk job (the training in `job.payload`); each member
    once, so running a chunk again invites nobody twice. Returns how many failed: none (a
    member who left or was invited before is simply skipped)."""
    training = Training.objects.select_related("meeting").get(pk=job.payload["training"])
    already = invited_emails(training.meeting)
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        invitee_add_once(
            actor=job.requested_by,
            meeting=training.meeting,
            name=user.name,
            email=user.email,
            invited=already,
            user=user,
            language=user.language,
        )
    return 0


@transaction.atomic
def team_invite_start(*, actor: User, training: Training):
    """Invite the active team to a training: a small team at once (returns the number
    invited), a large one by a bulk job in the background (returns the `BulkJob`)."""
    user_ids = list(roster(programme=training.programme).values_list("user_id", flat=True))
    if len(user_ids) <= TEAM_INVITE_SYNC_MAX:
        return team_invite(actor=actor, training=training)
    return bulk_job_start(
        actor=actor,
        kind=TEAM_INVITE,
        programme=training.programme,
        items=user_ids,
        payload={"training": training.pk},
    )


def track_progress(*, programme: Programme, user_ids) -> dict[int, dict]:
    """Each member's way through the track in three queries, whatever the team's size:
    {user_id: {"introduction": bool, "workshop": True/False/None (not assessed yet),
    "instruction": bool, "rules": bool}}."""
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

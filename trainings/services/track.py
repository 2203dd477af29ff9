"""The training track: its three meetings, inviting the team and who attended what."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Invitee, Programme, User
from programmes.selectors import roster
from programmes.services import (
    invited_emails,
    invitee_add_once,
    meeting_create,
    team_member_set_cohort,
)
from programmes.services.bulk import bulk_job_start

from ..models import Assessment, Cohort, RulesAcceptance, Training

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


def _track_plan(
    *, actor: User, programme: Programme, cohort: Cohort, starts: dict, location: str, trainer: str
) -> list[Training]:
    """The three meetings of one cohort's track, from the template."""
    trainings = []
    for kind, title, description in TRACK:
        start = starts.get(kind)
        if start is None:
            raise ValidationError({kind: _("Choose a date and time.")})
        meeting = meeting_create(
            actor=actor,
            programme=programme,
            kind=kind,
            title=title if cohort.number == 1 else f"{title} ({cohort.name})",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            location=location,
            description=description,
        )
        training = Training(
            organisation=programme.organisation,
            programme=programme,
            cohort=cohort,
            kind=kind,
            meeting=meeting,
            trainer=trainer if kind == Training.Kind.WORKSHOP else "",
        )
        training.full_clean(exclude=["organisation", "programme", "cohort", "meeting"])
        training.save()
        trainings.append(training)
    return trainings


def _cohort_new(*, programme: Programme, number: int) -> Cohort:
    cohort = Cohort(
        organisation=programme.organisation,
        programme=programme,
        number=number,
        name=_("Cohort %(n)s") % {"n": number},
    )
    cohort.full_clean(exclude=["organisation", "programme"])
    cohort.save()
    return cohort


@transaction.atomic
def track_create(
    *, actor: User, programme: Programme, starts: dict, location: str, trainer: str = ""
) -> list[Training]:
    """Plan the three training meetings of the founding team (cohort 1) from the template;
    `starts` maps kind to a moment. Newcomers later get a cohort of their own
    (`cohort_create`)."""
    if programme.trainings.exists():
        raise ValidationError(_("This programme already has a training track."))
    cohort = _cohort_new(programme=programme, number=1)
    trainings = _track_plan(
        actor=actor,
        programme=programme,
        cohort=cohort,
        starts=starts,
        location=location,
        trainer=trainer,
    )
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="training_track.created",
        obj=programme,
        data={"trainings": [t.pk for t in trainings], "trainer": trainer},
    )
    return trainings


@transaction.atomic
def cohort_create(
    *,
    actor: User,
    programme: Programme,
    starts: dict,
    location: str,
    trainer: str = "",
    members=(),
) -> Cohort:
    """A newcomers' cohort while the team keeps walking: the next number, its own track of
    three meetings (the same certificate at the end) and the chosen `members` (roster rows of
    this team) moved into it, so its meetings invite them and no one else."""
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    last = programme.cohorts.order_by("-number").first()
    if last is None:
        raise ValidationError(_("Plan the training track of the team first."))
    members = list(members)
    if any(m.programme_id != programme.pk or not m.is_active for m in members):
        raise ValidationError({"members": _("Choose members of this team.")})
    cohort = _cohort_new(programme=programme, number=last.number + 1)
    trainings = _track_plan(
        actor=actor,
        programme=programme,
        cohort=cohort,
        starts=starts,
        location=location,
        trainer=trainer,
    )
    for member in members:
        team_member_set_cohort(actor=actor, member=member, cohort=cohort.number)
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="cohort.created",
        obj=cohort,
        data={"trainings": [t.pk for t in trainings], "members": [m.user_id for m in members]},
    )
    return cohort


def _cohort_roster(training: Training):
    """The members a training is for: the active roster rows of its cohort."""
    return roster(programme=training.programme).filter(cohort=training.cohort.number)


@transaction.atomic
def team_invite(*, actor: User, training: Training) -> int:
    """Invite every active team member of the training's cohort to it (each once: whoever
    was invited before is skipped, see `invitee_add_once`); returns how many were invited
    now."""
    invited = 0
    already = invited_emails(training.meeting)
    for member in _cohort_roster(training):
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
    user_ids = list(_cohort_roster(training).values_list("user_id", flat=True))
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

"""Demo data of trainings for the teams at work: the track held months ago with attendance,
the workshop's verdicts and certificates (their PDFs are made after the commit, as in the
product), the rules accepted, the kickoff with gear handed out, the streets of the
introduction flyer and the team photo. Called by the `demo_data` command."""

from datetime import timedelta

from allauth.account.models import EmailAddress

from programmes import demo
from programmes.models import Invitee, Meeting, TeamMember, User
from programmes.permissions import Role
from programmes.services import invitee_set_attended, meeting_create, team_member_add

from . import services
from .models import (
    Assessment,
    Certificate,
    RulesAcceptance,
    StreetAssignment,
    TeamRules,
    Training,
)

TRACK_DAYS_AGO = {
    Training.Kind.INTRODUCTION: 84,
    Training.Kind.WORKSHOP: 77,
    Training.Kind.INSTRUCTION: 70,
}
KICKOFF_DAYS_AGO = 63
STREETS = {
    demo.RUNNING: [
        "Tarwestraat",
        "Mijnsherenlaan",
        "Brede Hilledijk",
        "Millinxstraat",
        "Pretorialaan",
        "Doklaan",
        "Boergoensestraat",
    ],
    demo.RUNNING_SMALL: ["Tijmstraat", "Saliestraat", "Dillestraat", "Kervelstraat"],
}
SIZES = ["M", "L", "XL", "S", "L", "XXL", "M"]
# The member who still has to pass the workshop (not ready for rounds yet).
NOT_YET_PASSED = "kees.vermeulen@zuidstad.example"


def load(ctx: demo.DemoContext) -> None:
    for key in (demo.RUNNING, demo.RUNNING_SMALL):
        programme = ctx.programmes[key]
        if not programme.trainings.exists():
            _team_trained(ctx, key, programme)
            ctx.created += 1
    programme = ctx.programmes[demo.RUNNING]
    if not programme.cohorts.filter(number__gt=1).exists():
        _newcomers(ctx, programme)
        ctx.created += 1


# A newcomer recruited while the team keeps walking, trained with Kees (who retakes the
# workshop) in a cohort of their own.
NEWCOMER = ("fatima.elamrani@zuidstad.example", "Fatima El Amrani")


def _newcomers(ctx, programme) -> None:
    """The newcomers' cohort: its three meetings planned in the coming weeks, its members
    invited; the same certificate at the end."""
    email, name = NEWCOMER
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, None, name=name, role=Role.TEAM_MEMBER, organisation=programme.organisation
        )
        # The demo password, as the other demo members have it (hashed once by the base).
        hashed = User.objects.get(pk=ctx.team_of(programme)[0].pk).password
        User.objects.filter(pk=user.pk).update(password=hashed)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    ctx.users[email] = user
    newcomer = team_member_add(actor=ctx.leader, programme=programme, user=user)
    retaking = TeamMember.objects.get(programme=programme, user__email=NOT_YET_PASSED)
    cohort = services.cohort_create(
        actor=ctx.leader,
        programme=programme,
        starts={
            Training.Kind.INTRODUCTION: ctx.at(-9, 19, 30),
            Training.Kind.WORKSHOP: ctx.at(-14, 19, 30),
            Training.Kind.INSTRUCTION: ctx.at(-36, 19, 30),
        },
        location="Buurthuis, kleine zaal",
        trainer="Marieke Hoekstra",
        members=[newcomer, retaking],
    )
    for training in cohort.trainings.all():
        services.team_invite(actor=ctx.leader, training=training)


def _team_trained(ctx, key, programme) -> None:
    leader = ctx.leader
    team = ctx.team_of(programme)
    rules = services.rules_save(actor=leader, programme=programme, text=services.DEFAULT_RULES)
    TeamRules.objects.filter(pk=rules.pk).update(
        updated_at=ctx.at(TRACK_DAYS_AGO[Training.Kind.INSTRUCTION] + 2, 11)
    )
    trainings = services.track_create(
        actor=leader,
        programme=programme,
        starts={kind: ctx.at(days, 19, 30) for kind, days in TRACK_DAYS_AGO.items()},
        location="Buurthuis, grote zaal",
        trainer="Marieke Hoekstra",
    )
    for training in trainings:
        services.team_invite(actor=leader, training=training)
        days = TRACK_DAYS_AGO[training.kind]
        Invitee.objects.filter(meeting=training.meeting).update(
            status=Invitee.Status.ACCEPTED, responded_at=ctx.at(days + 5, 12)
        )
        for invitee in training.meeting.invitees.all():
            absent = invitee.email == NOT_YET_PASSED and training.kind == Training.Kind.INSTRUCTION
            invitee_set_attended(actor=leader, invitee=invitee, attended=not absent)
    workshop = next(t for t in trainings if t.kind == Training.Kind.WORKSHOP)
    workshop_day = ctx.today - timedelta(days=TRACK_DAYS_AGO[Training.Kind.WORKSHOP])
    for user in team:
        passed = user.email != NOT_YET_PASSED
        services.assessment_record(
            actor=leader,
            training=workshop,
            user=user,
            passed=passed,
            note="" if passed else "Wil de workshop graag nog een keer doen.",
        )
    Assessment.objects.filter(training=workshop).update(assessed_at=ctx.at(77, 21, 30))
    Certificate.objects.filter(programme=programme).update(issued_on=workshop_day)
    instruction_at = ctx.at(TRACK_DAYS_AGO[Training.Kind.INSTRUCTION], 21)
    for user in team:
        if user.email != NOT_YET_PASSED:
            services.rules_accept(user=user, programme=programme)
    RulesAcceptance.objects.filter(programme=programme).update(accepted_at=instruction_at)
    for user in team:
        services.readiness_update(programme=programme, user=user)
    _kickoff(ctx, key, programme, team)


def _kickoff(ctx, key, programme, team) -> None:
    leader = ctx.leader
    starts = ctx.at(KICKOFF_DAYS_AGO, 16)
    meeting_create(
        actor=leader,
        programme=programme,
        kind=Meeting.Kind.KICKOFF,
        title=f"Aftrap {programme.name}",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        location="Buurthuis, grote zaal",
        description="Feestelijke aftrap met de gezinnen, de opdrachtgever en de wijkagent.",
    )
    for i, user in enumerate(team):
        gear = services.gear_sizes_save(
            user=user,
            programme=programme,
            bodywarmer_size=SIZES[i % len(SIZES)],
            shirt_size=SIZES[(i + 1) % len(SIZES)],
        )
        if user.email != NOT_YET_PASSED:
            for item in services.GEAR_ITEMS:
                services.gear_hand_out(actor=leader, gear=gear, item=item, given=True)
    services.streets_divide(actor=leader, programme=programme, streets=STREETS[key])
    delivered = ctx.at(KICKOFF_DAYS_AGO - 10, 15)
    first = StreetAssignment.objects.filter(programme=programme).order_by("street").first()
    StreetAssignment.objects.filter(programme=programme).exclude(pk=first.pk).update(
        delivered_at=delivered
    )
    services.introduction_save(
        actor=leader,
        programme=programme,
        contact=f"bewonersteam.{programme.neighbourhood.lower()}@example.org\n"
        "Spreek ons aan in de wijk: je herkent ons aan de bodywarmer.",
        photo=demo.demo_jpeg(
            f"team-{programme.pk}",
            colour=programme.organisation.brand_colour,
            label=f"Het BewonersTeam {programme.neighbourhood}",
            size=(900, 600),
        ),
    )

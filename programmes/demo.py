"""Demo data of the base app, and the frame the other apps hang their own demo data on.

The `demo_data` command builds the base here (one consultancy, two clients, a user of every
role, four programmes in different phases, their intake, plan, team rosters and meetings), then
calls `load(ctx)` of every installed app that has a `demo` module (recruitment, trainings,
patrols, in the order of INSTALLED_APPS). Each app fills in its own part with its own services,
so the data is what the product itself would have made, and the base still imports no app:
it finds their demo modules by name, as Django finds admin modules.

Time goes back: programmes started weeks ago, rounds were walked over the past weeks. Services
stamp "now" on what they write, so the apps pass explicit moments where a service takes them
and set the remaining timestamps afterwards with `update()`.

Every step looks up what it would make first, so running the command twice changes nothing.
"""

import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from . import selectors, services
from .models import Meeting, Milestone, Organisation, Programme, TeamMember, User
from .permissions import Role
from .services import meeting_series as series_services
from .services.meetings import invitee_create

DEMO_PASSWORD = "bewonersteam-demo"  # noqa: S105 - printed on purpose: demo accounts only
# Demo staff get two-factor authentication with this secret; add it to an authenticator app,
# or in development type 000000 (accepted only with DEBUG on).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"  # noqa: S105

CONSULTANCY = {"slug": "swa", "name": "Strategische WijkAanpak", "brand_colour": "#1d4e89"}
CLIENTS = [
    {
        "slug": "gemeente-zuidstad",
        "name": "Gemeente Zuidstad",
        "kind": Organisation.Kind.MUNICIPALITY,
        "brand_colour": "#b3261e",
        "street_address": "Stadhuisplein 1",
        "postcode": "3011 AA",
        "city": "Zuidstad",
        "contact_name": "Fatima el Amrani",
        "contact_email": "f.elamrani@zuidstad.example",
    },
    {
        "slug": "woonstichting-de-linde",
        "name": "Woonstichting De Linde",
        "kind": Organisation.Kind.HOUSING_CORPORATION,
        "brand_colour": "#2e7d32",
        "street_address": "Lindelaan 40",
        "postcode": "5611 BC",
        "city": "Eindhoven",
        "contact_name": "Peter de Vries",
        "contact_email": "p.devries@delinde.example",
    },
]
# The accounts printed by `quickstart`: one of every role, and both clients' staff.
USERS = [
    ("admin@swa.example", "Anouk Bakker", Role.CONSULTANCY_ADMIN, "swa"),
    ("projectleider@swa.example", "Joost Mulder", Role.PROJECT_LEADER, "swa"),
    ("wijkbeheerder@zuidstad.example", "Sanne Visser", Role.CLIENT_STAFF, "gemeente-zuidstad"),
    ("huismeester@delinde.example", "Karim Yilmaz", Role.CLIENT_STAFF, "woonstichting-de-linde"),
    ("teamlid@zuidstad.example", "Ria de Boer", Role.TEAM_MEMBER, "gemeente-zuidstad"),
    ("teamlid@delinde.example", "Mohamed Ouali", Role.TEAM_MEMBER, "woonstichting-de-linde"),
]
# The printed team member is the first of each team; the others make it a team.
TEAM_MATES = [
    ("henk.jansen@zuidstad.example", "Henk Jansen", "gemeente-zuidstad"),
    ("samira.haddou@zuidstad.example", "Samira Haddou", "gemeente-zuidstad"),
    ("dirk.smit@zuidstad.example", "Dirk Smit", "gemeente-zuidstad"),
    ("linda.kok@zuidstad.example", "Linda Kok", "gemeente-zuidstad"),
    ("kees.vermeulen@zuidstad.example", "Kees Vermeulen", "gemeente-zuidstad"),
    ("els.bosman@delinde.example", "Els Bosman", "woonstichting-de-linde"),
    ("jan.vanleeuwen@delinde.example", "Jan van Leeuwen", "woonstichting-de-linde"),
]

# The programmes, by the key the apps' demo modules know them by.
RUNNING = "running"  # a team at work for months: trained, rounds walked, signals followed up
RUNNING_SMALL = "running_small"  # the other client's team at work, smaller
RECRUITING = "recruiting"  # campaign open, applications in every stage, a survey under way
INTAKE = "intake"  # just started: the intake is being written

PROGRAMMES = {
    RUNNING: {
        "client": "gemeente-zuidstad",
        "name": "BewonersTeam Tarwewijk",
        "neighbourhood": "Tarwewijk",
        "municipality": "Zuidstad",
        "postcode_areas": "3081, 3082",
        "days_ago": 150,
        "team": [
            "teamlid@zuidstad.example",
            "henk.jansen@zuidstad.example",
            "samira.haddou@zuidstad.example",
            "dirk.smit@zuidstad.example",
            "linda.kok@zuidstad.example",
            "kees.vermeulen@zuidstad.example",
        ],
    },
    RUNNING_SMALL: {
        "client": "woonstichting-de-linde",
        "name": "BewonersTeam Kruidenbuurt",
        "neighbourhood": "Kruidenbuurt",
        "municipality": "Eindhoven",
        "postcode_areas": "5621",
        "days_ago": 130,
        "team": [
            "teamlid@delinde.example",
            "els.bosman@delinde.example",
            "jan.vanleeuwen@delinde.example",
        ],
    },
    RECRUITING: {
        "client": "woonstichting-de-linde",
        "name": "BewonersTeam Lindenhof",
        "neighbourhood": "Lindenhof",
        "municipality": "Eindhoven",
        "postcode_areas": "5615, 5616",
        "days_ago": 40,
        "team": [],
    },
    INTAKE: {
        "client": "gemeente-zuidstad",
        "name": "BewonersTeam Hillesluis",
        "neighbourhood": "Hillesluis",
        "municipality": "Zuidstad",
        "postcode_areas": "3074",
        "days_ago": 3,
        "team": [],
    },
}
CLIENT_STAFF = {
    "gemeente-zuidstad": "wijkbeheerder@zuidstad.example",
    "woonstichting-de-linde": "huismeester@delinde.example",
}


@dataclass
class DemoContext:
    """What the base made, handed to each app's `demo.load(ctx)`."""

    today: date
    orgs: dict = field(default_factory=dict)  # slug -> Organisation
    users: dict = field(default_factory=dict)  # e-mail -> User
    programmes: dict = field(default_factory=dict)  # key (RUNNING...) -> Programme
    created: int = 0  # how many new things were made, for the command's summary

    @property
    def admin(self) -> User:
        return self.users["admin@swa.example"]

    @property
    def leader(self) -> User:
        return self.users["projectleider@swa.example"]

    def staff_of(self, programme: Programme) -> User:
        """The client's demo staff member, who follows up the programme's signals."""
        return self.users[CLIENT_STAFF[programme.organisation.slug]]

    def team_of(self, programme: Programme) -> list[User]:
        """The programme's active members, the printed demo member first."""
        key = next(k for k, p in self.programmes.items() if p.pk == programme.pk)
        return [self.users[email] for email in PROGRAMMES[key]["team"]]

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """An aware moment `days_ago` days before today, at local wall-clock time."""
        day = self.today - timedelta(days=days_ago)
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def rng(self, salt: str) -> random.Random:
        """A random generator that makes the same choices on every run."""
        return random.Random(f"bewonersteam-demo-{salt}")  # noqa: S311 - not for security


def _logo_png(text: str, colour: str) -> bytes:
    image = Image.new("RGB", (240, 240), colour)
    draw = ImageDraw.Draw(image)
    draw.text((120, 120), text, fill="white", anchor="mm", font_size=110)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def demo_jpeg(name: str, *, colour: str, label: str, size=(640, 480)) -> SimpleUploadedFile:
    """A small JPEG photo (a coloured scene with a label), as an upload for the services."""
    rng = random.Random(name)  # noqa: S311 - not for security
    width, height = size
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill="#6b6b6b")  # the street
    for _ in range(6):
        x, y = rng.randrange(0, width - 80), rng.randrange(height // 3, height * 2 // 3)
        draw.rectangle((x, y, x + rng.randrange(40, 120), y + rng.randrange(30, 90)), fill="#ddd")
    draw.text((24, 24), label, fill="white", font_size=36)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile(f"{name}.jpg", out.getvalue(), content_type="image/jpeg")


def load(ctx: DemoContext) -> None:
    """The base: organisations, users, programmes with intake, plan, roster and meetings."""
    _organisations(ctx)
    _users(ctx)
    for key, spec in PROGRAMMES.items():
        ctx.programmes[key] = _programme(ctx, key, spec)
    from .guidance_demo import load_guidance  # noqa: PLC0415 - its own module, as an app's

    load_guidance(ctx, running_key=RUNNING)
    _privacy(ctx)


def _privacy(ctx: DemoContext) -> None:
    """The organisations' privacy statements, and a team member who asked from the app for
    their data to be erased: waiting on the admin's Privacy page."""
    from .services import privacy as privacy_services  # noqa: PLC0415 - beside its one use

    for org in Organisation.objects.filter(privacy_statement_url=""):
        services.organisation_update(
            actor=None,
            organisation=org,
            privacy_statement_url=f"https://{org.slug}.example/privacy",
        )
    asking = ctx.users["kees.vermeulen@zuidstad.example"]
    privacy_services.erasure_request_create(
        user=asking, organisation=asking.organisation, email=asking.email
    )


def _organisations(ctx: DemoContext) -> None:
    consultancy, new = Organisation.objects.get_or_create(
        slug=CONSULTANCY["slug"],
        defaults={**CONSULTANCY, "kind": Organisation.Kind.CONSULTANCY},
    )
    ctx.created += new
    ctx.orgs[consultancy.slug] = consultancy
    for spec in CLIENTS:
        org = Organisation.objects.filter(slug=spec["slug"]).first()
        if org is None:
            admin = User.objects.filter(email=USERS[0][0]).first()
            fields = {k: v for k, v in spec.items() if k != "slug"}
            org = services.organisation_create(actor=admin, consultancy=consultancy, **fields)
            initials = "".join(w[0] for w in spec["name"].split()[-2:]).upper()
            org.logo.save(f"{org.slug}.png", ContentFile(_logo_png(initials, org.brand_colour)))
            ctx.created += 1
        ctx.orgs[org.slug] = org


def _users(ctx: DemoContext) -> None:
    people = [*USERS, *((e, n, Role.TEAM_MEMBER, o) for e, n, o in TEAM_MATES)]
    hashed = None  # hashing is slow on purpose: hash the one demo password once
    for email, name, role, slug in people:
        user = User.objects.filter(email=email).first()
        if user is None:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user = User.objects.create_user(
                email, None, name=name, role=role, organisation=ctx.orgs[slug]
            )
            User.objects.filter(pk=user.pk).update(password=hashed)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            ctx.created += 1
            if role == Role.PROJECT_LEADER:
                user.assigned_clients.set([ctx.orgs[c["slug"]] for c in CLIENTS])
            if user.is_consultancy_staff:
                Authenticator.objects.create(
                    user=user,
                    type=Authenticator.Type.TOTP,
                    data={"secret": encrypt(DEMO_TOTP_SECRET)},
                )
        ctx.users[email] = user


INTAKES = {
    RUNNING: {
        "vision": "Een schone en veilige Tarwewijk waarin bewoners elkaar kennen en aanspreken.",
        "goals": [
            {"description": "Minder grofvuil op straat", "measure": "30% minder meldingen"},
            {"description": "Bewoners kennen het team", "measure": "Buurtonderzoek na een jaar"},
        ],
    },
    RUNNING_SMALL: {
        "vision": "Portieken en galerijen in de Kruidenbuurt zijn schoon, heel en veilig.",
        "goals": [
            {
                "description": "Galerijen vrij van fietsen en spullen",
                "measure": "Schouw per kwartaal",
            },
        ],
    },
    RECRUITING: {
        "vision": "Bewoners van Lindenhof zorgen samen met De Linde voor een prettige buurt.",
        "goals": [
            {"description": "Een team van acht bewoners", "measure": "Acht leden na de training"},
            {"description": "Minder overlast in de binnentuinen", "measure": "Klachten De Linde"},
        ],
    },
}


def _programme(ctx: DemoContext, key: str, spec: dict) -> Programme:
    client = ctx.orgs[spec["client"]]
    programme = Programme.objects.filter(organisation=client, name=spec["name"]).first()
    staff = ctx.users[CLIENT_STAFF[client.slug]]
    if programme is None:
        programme = services.programme_create(
            actor=ctx.leader,
            client=client,
            project_leaders=[ctx.leader],
            client_contacts=[staff],
            name=spec["name"],
            neighbourhood=spec["neighbourhood"],
            municipality=spec["municipality"],
            postcode_areas=spec["postcode_areas"],
            start_date=ctx.today - timedelta(days=spec["days_ago"]),
        )
        Programme.objects.filter(pk=programme.pk).update(created_at=ctx.at(spec["days_ago"], 9))
        ctx.created += 1
        _intake(ctx, key, programme, staff)
        _plan(ctx, key, programme)
    for email in spec["team"]:
        user = ctx.users[email]
        if not selectors.is_on_roster(programme=programme, user=user, include_inactive=True):
            member = services.team_member_add(actor=ctx.leader, programme=programme, user=user)
            TeamMember.objects.filter(pk=member.pk).update(
                joined_at=ctx.at(spec["days_ago"] - 45, 10)
            )
            ctx.created += 1
    if spec["team"] and not programme.meetings.filter(kind=Meeting.Kind.TEAM).exists():
        _team_meeting(ctx, programme)
    return programme


def _intake(ctx: DemoContext, key: str, programme: Programme, staff: User) -> None:
    partners = [
        {
            "name": staff.name,
            "partner_organisation": programme.organisation.name,
            "role": "neighbourhood_manager" if key in (RUNNING, INTAKE) else "caretaker",
            "email": staff.email,
            "phone": "",
        },
        {
            "name": "Bas Koster",
            "partner_organisation": "Politie",
            "role": "community_officer",
            "email": "",
            "phone": "",
        },
    ]
    if key == INTAKE:
        # Fresh: the intake talk was this week and the notes are not finished yet.
        services.programme_intake_save(
            actor=ctx.leader,
            programme=programme,
            vision="Hillesluis wil dat bewoners zich weer verantwoordelijk voelen voor "
            "hun straat. (Concept: nog bespreken met de wijkbeheerder.)",
            starting_points="Vrijwillig, maar niet vrijblijvend.",
            goals=[],
            partners=partners[:1],
        )
        return
    intake = INTAKES[key]
    services.programme_intake_save(
        actor=ctx.leader,
        programme=programme,
        vision=intake["vision"],
        starting_points="Vrijwillig, maar niet vrijblijvend.\n"
        "Het team werkt samen met de wijkbeheerder of huismeester en de wijkagent.",
        goals=intake["goals"],
        partners=partners,
        complete=True,
    )
    started = PROGRAMMES[key]["days_ago"]
    Programme.objects.filter(pk=programme.pk).update(intake_completed_at=ctx.at(started - 2, 11))


def _plan(ctx: DemoContext, key: str, programme: Programme) -> None:
    """The plan of approach; milestones whose date has passed are done (for the running
    teams all of them), on their due date."""
    milestones = services.plan_generate(actor=ctx.leader, programme=programme)
    if key == INTAKE:
        return
    for milestone in milestones:
        milestone.refresh_from_db()
        if milestone.done_at is None and milestone.due_date < ctx.today:
            services.milestone_set_done(actor=ctx.leader, milestone=milestone, done=True)
    for milestone in Milestone.objects.filter(programme=programme, done_at__isnull=False):
        when = timezone.make_aware(datetime.combine(milestone.due_date, time(16, 30)))
        Milestone.objects.filter(pk=milestone.pk).update(done_at=min(when, timezone.now()))


def _team_meeting(ctx: DemoContext, programme: Programme) -> None:
    """The monthly team meetings as a series (every first Tuesday, 19:30): the ones held
    with their agenda, notes, attendance and agreements (one still open, carried along),
    the ones to come with everyone invited and most of the team coming to the next."""
    series = series_services.series_create(
        actor=ctx.leader,
        programme=programme,
        title=f"Teamoverleg {programme.neighbourhood}",
        location="Buurthuis, grote zaal",
        description="Hoe gingen de rondes, wat doen we met de meldingen, wat komt eraan.",
        rule="monthly",
        weekday=1,
        nth=1,
        interval_weeks=None,
        first_date=ctx.today - timedelta(days=100),
        until=ctx.today + timedelta(days=240),
        start_time=time(19, 30),
        duration_minutes=90,
    )
    members = list(selectors.schedulable_members(programme=programme))
    now = timezone.now()
    held = list(series.meetings.filter(starts_at__lt=now).order_by("starts_at"))
    agreements = [
        ("Kliko's op de galerij aankaarten bij de huismeester", 20),
        ("Flyer voor het buurtfeest maken", 30),
        ("Wijkagent uitnodigen voor het volgende overleg", 25),
    ]
    for n, meeting in enumerate(held):
        series_services.meeting_agenda_save(
            actor=ctx.leader,
            meeting=meeting,
            agenda="1. Opening en afspraken van vorige keer\n2. Hoe gingen de rondes?\n"
            "3. Meldingen en wat ermee gebeurde\n4. Wat komt eraan\n5. Rondvraag",
        )
        for i, member in enumerate(members):
            invitee, _token = invitee_create(
                actor=ctx.leader,
                meeting=meeting,
                name=member.user.name,
                email=member.user.email,
                user=member.user,
            )
            services.invitee_set_attended(
                actor=ctx.leader, invitee=invitee, attended=(i + n) % 4 != 3
            )
        if n < len(agreements):
            text, days = agreements[n]
            agreement = series_services.agreement_add(
                actor=ctx.leader,
                meeting=meeting,
                text=text,
                owner_name=members[n % len(members)].user.name if members else "Projectleider",
                due_date=meeting.starts_at.date() + timedelta(days=days),
            )
            if n != 0:  # the first one is still open: carried from meeting to meeting
                series_services.agreement_set_done(actor=ctx.leader, agreement=agreement, done=True)
        series_services.meeting_notes_save(
            actor=ctx.leader,
            meeting=meeting,
            notes="De rondes lopen goed; de meeste meldingen gingen over grofvuil. "
            "Nieuwe afspraken staan hieronder.",
        )
    if series.meetings.filter(starts_at__gt=now).exists():
        series_services.series_invite_everyone(actor=ctx.leader, series=series)
        upcoming = series.meetings.filter(starts_at__gt=now).order_by("starts_at").first()
        for i, invitee in enumerate(upcoming.invitees.filter(user__isnull=False)):
            if i % 3 != 2:  # most have already said they are coming
                services.meeting_reply(invitee=invitee, attending=True)

"""The generator's core and the base's rows: organisations, accounts, programmes, teams."""

import datetime as dt
import hashlib
import random
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from patrols.models import EffortRule
from patrols.services.categories import categories_ensure
from programmes.calendar import working_day
from programmes.models import (
    Milestone,
    Organisation,
    Programme,
    TeamMember,
    User,
)
from programmes.permissions import Role
from programmes.services.plan import plan_template_ensure
from recruitment.models import Campaign, Survey
from recruitment.services.survey import survey_create

from .words import CITIES, FIRST_NAMES, LAST_NAMES, STREETS

BATCH = 5_000
# Every generated account logs in with this password; consultancy staff also with this TOTP
# secret (the demo data's, so an authenticator app set up for the demo works here too).
PASSWORD = "bewonersteam-data"  # noqa: S105 - printed on purpose: generated accounts only
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"  # noqa: S105
DAYS = 730  # dates spread over the two years before now


def _weighted(rng: random.Random, i: int, values, weights=None):
    """The i-th value for the first rows (so every state occurs), then a weighted draw."""
    values = list(values)
    if i < len(values):
        return values[i]
    return rng.choices(values, weights=weights)[0]


def _batched(rows, size: int = BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _token_hash() -> str:
    return hashlib.sha256(secrets.token_bytes(16)).hexdigest()


@dataclass
class Tenant:
    """A generated client with its staff and programmes."""

    organisation: Organisation
    city: tuple
    staff: list = field(default_factory=list)
    programmes: list = field(default_factory=list)


@dataclass
class GeneratorBase:
    """The generator's state (seeded randomness, counts of what it made) and the rows of the
    base: the consultancy, clients, accounts, programmes and teams."""

    prefix: str = "gen"
    seed: int = 12
    now: dt.datetime = field(default_factory=timezone.now)
    made: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)  # noqa: S311 - test data, not secrets
        self.password = make_password(PASSWORD)  # hashed once: hashing is the slow part
        self._n = 0

    # --- helpers ---------------------------------------------------------------------------

    def _count(self, model, n: int) -> None:
        label = model._meta.label
        self.made[label] = self.made.get(label, 0) + n

    def _bulk(self, model, objs) -> list:
        """Insert `objs` in batches; returns them with their primary keys (on SQLite and
        PostgreSQL bulk_create sets them)."""
        out = []
        for batch in _batched(objs):
            out += model.objects.bulk_create(batch)
        self._count(model, len(out))
        return out

    def _serial(self) -> int:
        self._n += 1
        return self._n

    def name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def moment(self, *, days: int = DAYS) -> dt.datetime:
        """A moment in the last `days` days, in the daytime and evening as people walk."""
        day = self.now - dt.timedelta(days=self.rng.randrange(days))
        return day.replace(
            hour=self.rng.randint(8, 21), minute=self.rng.randrange(60), second=0, microsecond=0
        )

    def address(self, city) -> tuple[str, str, str]:
        letters = "ABCDEFGHJKLMNPRSTVWXZ"
        postcode = f"{city[1]} {self.rng.choice(letters)}{self.rng.choice(letters)}"
        return self.rng.choice(STREETS), str(self.rng.randint(1, 220)), postcode

    def position(self, city) -> tuple[Decimal, Decimal]:
        """A point within a kilometre or two of the city's neighbourhoods."""
        lat = city[2] + self.rng.uniform(-0.015, 0.015)
        lng = city[3] + self.rng.uniform(-0.025, 0.025)
        return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")

    # --- organisations and people ------------------------------------------------------------

    def consultancy(self) -> tuple[Organisation, User, list[User]]:
        """The consultancy, its admin and three project leaders (all with TOTP set up)."""
        consultancy = Organisation.objects.create(
            name=f"Strategische WijkAanpak ({self.prefix})",
            slug=f"{self.prefix}-bureau",
            kind=Organisation.Kind.CONSULTANCY,
            city="Utrecht",
        )
        self._count(Organisation, 1)
        admin, *leaders = self.users(
            consultancy,
            [Role.CONSULTANCY_ADMIN] + [Role.PROJECT_LEADER] * 3,
            emails=[f"{self.prefix}-admin@example.org"]
            + [f"{self.prefix}-leider{i}@example.org" for i in range(1, 4)],
        )
        plan_template_ensure(consultancy=consultancy)
        return consultancy, admin, leaders

    def tenants(self, consultancy: Organisation, n: int, *, leaders=()) -> list[Tenant]:
        """`n` clients (municipalities and housing corporations) with three staff each."""
        made = []
        for i in range(n):
            city = CITIES[i % len(CITIES)]
            round_ = f" {i // len(CITIES) + 1}" if i >= len(CITIES) else ""
            housing = i % 2 == 1
            name = f"Woonstichting {city[0]}{round_}" if housing else f"Gemeente {city[0]}{round_}"
            org = Organisation.objects.create(
                name=name,
                slug=f"{self.prefix}-klant-{i + 1}",
                kind=Organisation.Kind.HOUSING_CORPORATION
                if housing
                else Organisation.Kind.MUNICIPALITY,
                consultancy=consultancy,
                city=city[0],
                street_address=f"{self.rng.choice(STREETS)} {self.rng.randint(1, 99)}",
                postcode=f"{city[1]} AB",
                contact_name=self.name(),
                contact_email=f"{self.prefix}-contact{i + 1}@example.org",
            )
            for leader in leaders:
                leader.assigned_clients.add(org)
            tenant = Tenant(organisation=org, city=city)
            tenant.staff = self.users(org, [Role.CLIENT_STAFF] * 3)
            made.append(tenant)
        self._count(Organisation, n)
        return made

    def users(self, organisation: Organisation, roles: list[str], *, emails=None) -> list[User]:
        """Accounts with the given roles, each with a verified address; consultancy staff with
        TOTP, as they cannot work without it."""
        objs = []
        for i, role in enumerate(roles):
            serial = self._serial()
            objs.append(
                User(
                    email=emails[i] if emails else f"{self.prefix}-{serial}@example.org",
                    name=self.name(),
                    role=role,
                    organisation=organisation,
                    password=self.password,
                    date_joined=self.moment(),
                )
            )
        users = self._bulk(User, objs)
        self._bulk(
            EmailAddress,
            (EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users),
        )
        staff = [u for u in users if u.is_consultancy_staff]
        if staff:
            secret = encrypt(TOTP_SECRET)
            self._bulk(
                Authenticator,
                (
                    Authenticator(user=u, type=Authenticator.Type.TOTP, data={"secret": secret})
                    for u in staff
                ),
            )
        return users

    # --- programmes --------------------------------------------------------------------------

    def programmes(self, tenant: Tenant, n: int, *, leaders) -> list[Programme]:
        """`n` programmes of the tenant with their plan (ticked where due), started over the
        last two years; each led by one of `leaders`."""
        consultancy = tenant.organisation.consultancy
        template = plan_template_ensure(consultancy=consultancy)
        city = tenant.city
        objs = []
        for i in range(n):
            start = (self.now - dt.timedelta(days=self.rng.randrange(DAYS))).date()
            neighbourhood = city[4][i % len(city[4])]
            objs.append(
                Programme(
                    organisation=tenant.organisation,
                    name=f"BewonersTeam {neighbourhood}"
                    + (f" {i // len(city[4]) + 1}" if i >= len(city[4]) else ""),
                    neighbourhood=neighbourhood,
                    municipality=city[0],
                    postcode_areas=f"{city[1]}, {city[1] + 1}",
                    start_date=start,
                    intake_completed_at=timezone.make_aware(
                        dt.datetime.combine(start, dt.time(10))
                    ),
                    vision="Een schone, veilige en gezellige buurt waar bewoners elkaar kennen.",
                )
            )
        programmes = self._bulk(Programme, objs)
        through = Programme.project_leaders.through
        self._bulk(
            through,
            (
                through(programme_id=p.pk, user_id=leaders[i % len(leaders)].pk)
                for i, p in enumerate(programmes)
            ),
        )
        if tenant.staff:
            contacts = Programme.client_contacts.through
            self._bulk(
                contacts,
                (contacts(programme_id=p.pk, user_id=tenant.staff[0].pk) for p in programmes),
            )
        today = self.now.date()
        self._bulk(
            Milestone,
            (
                Milestone(
                    organisation=p.organisation,
                    programme=p,
                    phase=row.phase,
                    title=row.title,
                    due_date=(
                        due := working_day(p.start_date + dt.timedelta(days=row.offset_days))
                    ),
                    key=row.key,
                    done_at=timezone.make_aware(dt.datetime.combine(due, dt.time(12)))
                    if due < today and self.rng.random() < 0.9
                    else None,
                )
                for p in programmes
                for row in template
            ),
        )
        tenant.programmes += programmes
        return programmes

    def equip(self, programme: Programme, *, actor: User) -> dict:
        """What a programme at work has: its campaign, signal categories, effort rule and an
        open survey with the standard questions."""
        Campaign.objects.get_or_create(
            programme=programme, defaults={"organisation": programme.organisation, "is_open": True}
        )
        EffortRule.objects.get_or_create(
            programme=programme,
            defaults={"organisation": programme.organisation, "reward": "Cadeaubon van € 25"},
        )
        categories = categories_ensure(programme=programme)
        survey = survey_create(
            actor=actor, programme=programme, title=f"Buurtonderzoek {programme.neighbourhood}"
        )
        Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN)
        return {
            "categories": categories,
            "survey": survey,
            "questions": list(survey.questions.all()),
        }

    def team(self, programme: Programme, n: int) -> list[User]:
        """`n` team members on the programme's roster, most of them ready for rounds."""
        users = self.users(programme.organisation, [Role.TEAM_MEMBER] * n)
        self._bulk(
            TeamMember,
            (
                TeamMember(
                    organisation=programme.organisation,
                    programme=programme,
                    user=u,
                    joined_at=u.date_joined,
                    ready_for_rounds=self.rng.random() < 0.85,
                )
                for u in users
            ),
        )
        return users

    # --- the lists ---------------------------------------------------------------------------


def copy_rows(model, rows, *, batch: int = 50_000) -> int:
    """Write dict rows into `model`'s table with PostgreSQL's COPY: an order of magnitude faster
    than INSERT for a million rows. The columns are the keys of the first row."""
    table = connection.ops.quote_name(model._meta.db_table)
    made = 0
    columns = None
    with connection.cursor() as cursor:
        for chunk in _batched(rows, batch):
            if columns is None:
                columns = list(chunk[0])
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row([row[c] for c in columns])
            made += len(chunk)
    return made

"""A realistic large data set, made fast: for benchmarks and for trying the product at size.

The `generate_data` command spreads every list over several clients and programmes; the
benchmarks call the same builders to put an exact number of rows on one page. Rows are made
with `bulk_create` in batches (and, for the very large signal set on PostgreSQL, with COPY),
not through the services: a service writes one row with its audit entry and mail, which is
right for the product and a thousand times too slow for a million rows. What the services
would have made around a row (audit entries, outbox mails) is generated as its own list.

Every row carries the organisation of its programme, so tenants stay apart exactly as the
product keeps them. Callers run the builders inside `scopes_disabled()` (the command says why).
"""

import datetime as dt
import hashlib
import random
import secrets
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from patrols.models import EffortRule, Round, RoundSlot, Signal
from patrols.services.categories import categories_ensure
from patrols.workflow import CLOSED, Status
from programmes.audit import audit_actions_registered
from programmes.calendar import working_day
from programmes.models import (
    AuditEntry,
    Invitee,
    Meeting,
    Milestone,
    Organisation,
    OutboxMessage,
    Programme,
    TeamMember,
    User,
)
from programmes.permissions import Role
from programmes.services.plan import plan_template_ensure
from recruitment.models import Answer as SurveyAnswer
from recruitment.models import Application, Campaign, Channel, DoorVisit, Survey, SurveyResponse
from recruitment.services.survey import survey_create
from recruitment.workflow import Stage

BATCH = 5_000
# Every generated account logs in with this password; consultancy staff also with this TOTP
# secret (the demo data's, so an authenticator app set up for the demo works here too).
PASSWORD = "bewonersteam-data"  # noqa: S105 - printed on purpose: generated accounts only
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"  # noqa: S105
DAYS = 730  # dates spread over the two years before now

FIRST_NAMES = [
    "Anna",
    "Bram",
    "Chantal",
    "Daan",
    "Dewi",
    "Emma",
    "Erik",
    "Fatima",
    "Femke",
    "Gijs",
    "Hamza",
    "Hanneke",
    "Ilse",
    "Ingrid",
    "Jeroen",
    "Joris",
    "Karin",
    "Kees",
    "Lotte",
    "Luuk",
    "Mohammed",
    "Noor",
    "Olga",
    "Pieter",
    "Priya",
    "Ruud",
    "Sanne",
    "Thijs",
    "Yusuf",
    "Zeynep",
    "Ahmed",
    "Bas",
    "Inge",
    "Marloes",
    "Nadia",
    "Rachid",
    "Sophie",
    "Tim",
    "Wendy",
    "Youssef",
]
LAST_NAMES = [
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Yilmaz", "El Amrani", "Kaya", "Bouzid", "Pinas",
    "Nguyen", "van Dijk", "Koster", "Prins", "Huisman", "Kok", "Öztürk", "Tahiri",
]  # fmt: skip
STREETS = [
    "Lindelaan", "Kerkstraat", "Dorpsstraat", "Molenweg", "Schoolstraat", "Stationsweg",
    "Julianastraat", "Beatrixlaan", "Wilhelminastraat", "Eikenlaan", "Berkenhof",
    "Populierenstraat", "Tulpstraat", "Rozenlaan", "Vondelstraat", "Vermeerstraat",
    "Havenstraat", "Merelstraat", "Lijsterlaan", "Zwaluwstraat", "Kastanjeplein",
    "Esdoornweg", "Margrietstraat", "Irenestraat", "Oranjestraat", "Spoorlaan", "Brinkweg",
    "Prinses Marijkestraat", "Van Goghstraat", "Burgemeester de Withstraat",
]  # fmt: skip
# (city, four-digit postcode area, latitude, longitude, neighbourhoods)
CITIES = [
    ("Rotterdam", 3081, 51.877, 4.490, ["Tarwewijk", "Carnisse", "Bloemhof", "Hillesluis"]),
    ("Eindhoven", 5615, 51.432, 5.492, ["Lakerlopen", "Woensel-Zuid", "Doornakkers"]),
    ("Utrecht", 3531, 52.091, 5.090, ["Kanaleneiland", "Overvecht", "Lombok"]),
    ("Groningen", 9725, 53.205, 6.560, ["Vinkhuizen", "Selwerd", "De Hoogte"]),
    ("Tilburg", 5041, 51.560, 5.070, ["Groenewoud", "Stokhasselt", "Het Zand"]),
    ("Almere", 1335, 52.370, 5.220, ["Stedenwijk", "Muziekwijk", "Waterwijk"]),
    ("Zwolle", 8031, 52.515, 6.090, ["Holtenbroek", "Dieze", "Aa-landen"]),
    ("Den Haag", 2525, 52.060, 4.290, ["Moerwijk", "Transvaal", "Bouwlust"]),
    ("Arnhem", 6825, 51.985, 5.930, ["Presikhaaf", "Malburgen", "Het Broek"]),
    ("Amersfoort", 3813, 52.160, 5.390, ["Kruiskamp", "Liendert", "Schothorst"]),
]
SIGNAL_TEXTS = [
    "Grofvuil naast de containers",
    "Lantaarnpaal brandt niet",
    "Fietsen in het portiek",
    "Graffiti op de muur van de onderdoorgang",
    "Kapotte stoeptegel bij de ingang",
    "Zwerfvuil in de speeltuin",
    "Lekkage in de galerij",
    "Hangjongeren bij de flat, veel lawaai",
    "",
]
MOTIVATIONS = [
    "Ik woon hier al twintig jaar en wil dat de buurt schoon en gezellig blijft.",
    "Ik ken veel buren en wil graag iets terugdoen voor de wijk.",
    "Mijn kinderen spelen buiten; ik wil meehelpen aan een veilige buurt.",
    "Ik heb tijd over sinds mijn pensioen en loop toch al elke dag een rondje.",
]


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
class Generator:
    """Builds the data set; each method makes one kind of rows in bulk and returns them (or
    their count, for the very large lists)."""

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

    def applications(self, programme: Programme, n: int, *, city) -> list[Application]:
        """Applications in every stage, from every source."""
        objs = []
        for i in range(n):
            created = self.moment()
            street, number, postcode = self.address(city)
            name = self.name()
            objs.append(
                Application(
                    organisation=programme.organisation,
                    programme=programme,
                    name=name,
                    email=f"{self.prefix}-bewoner{self._serial()}@example.org",
                    phone=f"06-{self.rng.randint(10000000, 99999999)}",
                    street=street,
                    house_number=number,
                    postcode=postcode,
                    motivation=self.rng.choice(MOTIVATIONS),
                    availability="Doordeweeks 's avonds en op zaterdag",
                    source=_weighted(self.rng, i, Application.Source.values, [6, 2, 2, 1]),
                    consent_text="Ik geef toestemming mijn gegevens te gebruiken voor de selectie.",
                    consent_at=created,
                    stage=_weighted(self.rng, i, Stage.values, [5, 2, 2, 1, 3, 2]),
                    keep_until=(created + dt.timedelta(days=365)).date(),
                    created_at=created,
                )
            )
        return self._bulk(Application, objs)

    def door_visits(self, programme: Programme, n: int, *, city, by=()) -> list[DoorVisit]:
        """Doors knocked on in the door-to-door round, with every outcome, and the campaign's
        channels (one of each kind)."""
        self._bulk(
            Channel,
            [
                Channel(
                    organisation=programme.organisation,
                    programme=programme,
                    kind=kind,
                    date=(self.now - dt.timedelta(days=30 + 7 * k)).date(),
                    reach="1.300 brieven" if kind == "letter" else "",
                )
                for k, kind in enumerate(Channel.Kind.values)
            ],
        )
        outcomes = DoorVisit.Outcome.values
        objs = []
        for i in range(n):
            street, number, _postcode = self.address(city)
            objs.append(
                DoorVisit(
                    organisation=programme.organisation,
                    programme=programme,
                    street=street,
                    house_number=number,
                    outcome=_weighted(self.rng, i, outcomes, [5, 3, 2, 1]),
                    visited_by=self.rng.choice(by) if by else None,
                    visited_at=self.moment(),
                )
            )
        return self._bulk(DoorVisit, objs)

    def survey_responses(self, survey: Survey, questions, n: int, *, city) -> int:
        """Responses through every channel, each answering the standard questions."""
        channels = SurveyResponse.Channel.values
        made = 0
        for batch in _batched(range(n)):
            responses = []
            for i in batch:
                consent = self.rng.random() < 0.1
                responses.append(
                    SurveyResponse(
                        organisation=survey.organisation,
                        survey=survey,
                        channel=_weighted(self.rng, i, channels, [5, 2, 3]),
                        street=self.rng.choice(STREETS),
                        contact_name=self.name() if consent else "",
                        contact_email=f"{self.prefix}-r{self._serial()}@example.org"
                        if consent
                        else "",
                        contact_consent_text="Ik wil benaderd worden." if consent else "",
                        contact_consent_at=self.now if consent else None,
                        created_at=self.moment(),
                    )
                )
            responses = SurveyResponse.objects.bulk_create(responses)
            answers = [
                SurveyAnswer(
                    organisation=survey.organisation,
                    response=r,
                    question=q,
                    value=self._answer(q),
                )
                for r in responses
                for q in questions
                if q.kind != "text" or self.rng.random() < 0.5
            ]
            self._bulk(SurveyAnswer, answers)
            made += len(responses)
        self._count(SurveyResponse, made)
        return made

    def _answer(self, question):
        rng = self.rng
        if question.kind == "scale":
            return str(rng.choices("12345", weights=[1, 3, 5, 4, 2])[0])
        if question.kind == "single":
            return rng.choice(question.options)
        if question.kind == "multiple":
            return rng.sample(question.options, min(len(question.options), rng.randint(1, 3)))
        if question.kind == "yesno":
            return "ja" if rng.random() < (0.3 if question.asks_to_join else 0.8) else "nee"
        return rng.choice(SIGNAL_TEXTS[:-1])

    def rounds(self, programme: Programme, n: int, *, walkers: list[User]) -> list[Round]:
        """Rounds walked by two or three members, an hour or two each; a few still going, and
        some scheduled rounds ahead."""
        objs = []
        for i in range(n):
            start = self.moment()
            going = i == 0 or self.rng.random() < 0.01
            objs.append(
                Round(
                    organisation=programme.organisation,
                    programme=programme,
                    started_by=walkers[i % len(walkers)] if walkers else None,
                    started_at=start,
                    ended_at=None
                    if going
                    else start + dt.timedelta(minutes=self.rng.randint(45, 150)),
                    payload_hash="0" * 64,
                    created_at=start,
                )
            )
        rounds = self._bulk(Round, objs)
        if walkers:
            through = Round.walkers.through
            self._bulk(
                through,
                (
                    through(round_id=r.pk, user_id=u.pk)
                    for r in rounds
                    for u in self.rng.sample(walkers, min(len(walkers), self.rng.randint(2, 3)))
                ),
            )
        self._bulk(
            RoundSlot,
            (
                RoundSlot(
                    organisation=programme.organisation,
                    programme=programme,
                    starts_at=self.now + dt.timedelta(days=d, hours=2),
                    meeting_point="Buurthuis De Ontmoeting",
                    area=programme.neighbourhood,
                )
                for d in range(1, 29, 7)
            ),
        )
        return rounds

    def signal_rows(
        self, programme: Programme, n: int, *, categories, city, rounds=(), reporters=()
    ):
        """Signal field dicts (not saved): every status, a position for most, newest and
        oldest two years apart. A generator, so a million never sit in memory."""
        children = [c for c in categories if c.parent_id] or list(categories)
        parents = [c for c in categories if not c.parent_id] or list(categories)
        statuses = Status.values
        for i in range(n):
            reported = self.moment()
            status = _weighted(self.rng, i, statuses, [2, 2, 1, 8, 1])
            category = self.rng.choice(children if self.rng.random() < 0.4 else parents)
            lat, lng = self.position(city) if self.rng.random() < 0.9 else (None, None)
            with_street = self.rng.random() < 0.6
            yield {
                "uuid": uuid.uuid4(),
                "payload_hash": "0" * 64,
                "created_at": reported,
                "organisation_id": programme.organisation_id,
                "programme_id": programme.pk,
                "round_id": self.rng.choice(rounds).pk if rounds else None,
                "category_id": category.pk,
                "description": self.rng.choice(SIGNAL_TEXTS),
                "urgent": self.rng.random() < 0.05,
                "latitude": lat,
                "longitude": lng,
                "street": self.rng.choice(STREETS) if with_street else "",
                "house_number": str(self.rng.randint(1, 220)) if with_street else "",
                "reported_by_id": self.rng.choice(reporters).pk if reporters else None,
                "reported_at": reported,
                "status": status,
                "assigned_to_id": None,
                "due_date": (reported + dt.timedelta(days=category.handling_days + 2)).date(),
                "closed_at": reported + dt.timedelta(days=self.rng.randint(1, 20))
                if status in CLOSED
                else None,
            }

    def signals(self, programme: Programme, n: int, **kwargs) -> int:
        """`n` signals of the programme: COPY on PostgreSQL (a million in about a minute),
        bulk_create in batches elsewhere."""
        rows = self.signal_rows(programme, n, **kwargs)
        if connection.vendor == "postgresql":
            made = copy_rows(Signal, rows)
        else:
            made = 0
            for batch in _batched(rows):
                made += len(Signal.objects.bulk_create([Signal(**row) for row in batch]))
        self._count(Signal, made)
        return made

    def outbox(self, programme: Programme, n: int) -> list[OutboxMessage]:
        """Mails in every status, about the programme's applications, meetings and signals."""
        kinds = [
            ("recruitment/application_received", "We hebben je aanmelding ontvangen"),
            ("programmes/meeting_invitation", "Uitnodiging: informatiebijeenkomst"),
            ("programmes/meeting_reminder", "Herinnering: bijeenkomst morgen"),
            ("patrols/round_reminder", "Herinnering: je ronde van morgen"),
            ("patrols/signal_resolved", "Je melding is afgehandeld"),
            ("recruitment/application_selected", "Welkom in het BewonersTeam"),
        ]
        statuses = OutboxMessage.Status.values
        objs = []
        for i in range(n):
            created = self.moment()
            template, subject = self.rng.choice(kinds)
            status = _weighted(self.rng, i, statuses, [1, 1, 40, 1, 1, 1])
            sent = status == OutboxMessage.Status.SENT
            objs.append(
                OutboxMessage(
                    organisation=programme.organisation,
                    programme=programme,
                    template=template,
                    to_email=f"{self.prefix}-m{self._serial()}@example.org",
                    to_name=self.name(),
                    subject=f"BewonersTeam: {subject}",
                    body_text=f"Beste bewoner,\n\n{subject}.\n\nMet vriendelijke groet,\n"
                    f"{programme.name}",
                    status=status,
                    attempts=1 if sent else (3 if status == "failed" else 0),
                    last_error="SMTP 451: try again later"
                    if status in ("failed", "retrying")
                    else "",
                    created_at=created,
                    attempted_at=created if status not in ("queued", "cancelled") else None,
                    sent_at=created + dt.timedelta(seconds=5) if sent else None,
                )
            )
        return self._bulk(OutboxMessage, objs)

    def invitees(self, programme: Programme, n: int, *, per_meeting: int = 100) -> list[Invitee]:
        """Meetings of every kind (past and ahead), together inviting `n` residents in every
        status."""
        kinds = Meeting.Kind.values
        meetings = self._bulk(
            Meeting,
            [
                Meeting(
                    organisation=programme.organisation,
                    programme=programme,
                    kind=kinds[m % len(kinds)],
                    title=f"{Meeting.Kind(kinds[m % len(kinds)]).label} {programme.neighbourhood}",
                    starts_at=(start := self.moment(days=DAYS - 30) + dt.timedelta(days=30)),
                    ends_at=start + dt.timedelta(hours=2),
                    location="Buurthuis De Ontmoeting",
                    capacity=per_meeting if m % 3 == 0 else None,
                )
                for m in range(max(1, -(-n // per_meeting)))
            ],
        )
        statuses = Invitee.Status.values
        objs = []
        for i in range(n):
            meeting = meetings[i // per_meeting]
            status = _weighted(self.rng, i, statuses, [3, 4, 1, 2])
            objs.append(
                Invitee(
                    organisation=programme.organisation,
                    meeting=meeting,
                    name=self.name(),
                    email=f"{self.prefix}-i{self._serial()}@example.org",
                    token_hash=_token_hash(),
                    status=status,
                    guests=self.rng.choice([0, 0, 0, 1]) if status == "accepted" else 0,
                    responded_at=meeting.starts_at - dt.timedelta(days=3)
                    if status != "invited"
                    else None,
                    waitlisted_at=meeting.starts_at - dt.timedelta(days=3)
                    if status == "waitlisted"
                    else None,
                    attended=(self.rng.random() < 0.85)
                    if status == "accepted" and meeting.starts_at < self.now
                    else None,
                    created_at=meeting.starts_at - dt.timedelta(days=14),
                )
            )
        return self._bulk(Invitee, objs)

    def audit(self, organisation: Organisation, n: int, *, actors) -> int:
        """Audit entries of the registered actions by the given actors."""
        actions = sorted(audit_actions_registered()) or ["programme.created"]
        made = 0
        for batch in _batched(range(n)):
            objs = []
            for _i in batch:
                actor = self.rng.choice(actors) if actors else None
                action = self.rng.choice(actions)
                objs.append(
                    AuditEntry(
                        organisation=organisation,
                        actor=actor,
                        actor_name=str(actor) if actor else "",
                        action=action,
                        object_type=action.split(".")[0],
                        object_id=str(self.rng.randint(1, 100_000)),
                        object_repr=self.name(),
                        created_at=self.moment(),
                    )
                )
            made += len(AuditEntry.objects.bulk_create(objs))
        self._count(AuditEntry, made)
        return made


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

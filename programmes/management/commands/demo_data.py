"""Load demo data: one consultancy, two clients and a user of every role. Idempotent.

Running it again changes nothing: every object is looked up by its natural key first.
"""

import io
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from programmes import services
from programmes.models import Organisation, Programme, User
from programmes.permissions import Role

DEMO_PROGRAMME = "BewonersTeam Tarwewijk"
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
USERS = [
    ("admin@swa.example", "Anouk Bakker", Role.CONSULTANCY_ADMIN, "swa"),
    ("projectleider@swa.example", "Joost Mulder", Role.PROJECT_LEADER, "swa"),
    ("wijkbeheerder@zuidstad.example", "Sanne Visser", Role.CLIENT_STAFF, "gemeente-zuidstad"),
    ("huismeester@delinde.example", "Karim Yilmaz", Role.CLIENT_STAFF, "woonstichting-de-linde"),
    ("teamlid@zuidstad.example", "Ria de Boer", Role.TEAM_MEMBER, "gemeente-zuidstad"),
    ("teamlid@delinde.example", "Mohamed Ouali", Role.TEAM_MEMBER, "woonstichting-de-linde"),
]


def _logo_png(text: str, colour: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 240), colour)
    draw = ImageDraw.Draw(image)
    draw.text((120, 120), text, fill="white", anchor="mm", font_size=110)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class Command(BaseCommand):
    help = "Load demo data (one consultancy, two clients, users of every role); idempotent."

    def handle(self, *args, **options):
        # Demo data spans every tenant, so no single scope fits: this commented block is one of
        # the explicit places where scoping is switched off.
        with scopes_disabled(), transaction.atomic():
            created = self._load()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new objects)."))

    def _load(self) -> int:
        created = 0
        consultancy, new = Organisation.objects.get_or_create(
            slug=CONSULTANCY["slug"],
            defaults={**CONSULTANCY, "kind": Organisation.Kind.CONSULTANCY},
        )
        created += new
        orgs = {consultancy.slug: consultancy}
        for spec in CLIENTS:
            org = Organisation.objects.filter(slug=spec["slug"]).first()
            if org is None:
                admin = User.objects.filter(email=USERS[0][0]).first()
                fields = {k: v for k, v in spec.items() if k != "slug"}
                org = services.organisation_create(actor=admin, consultancy=consultancy, **fields)
                initials = "".join(w[0] for w in spec["name"].split()[-2:]).upper()
                org.logo.save(f"{org.slug}.png", ContentFile(_logo_png(initials, org.brand_colour)))
                created += 1
            orgs[org.slug] = org
        for email, name, role, slug in USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, DEMO_PASSWORD, name=name, role=role, organisation=orgs[slug]
                )
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                created += 1
                if role == Role.PROJECT_LEADER:
                    user.assigned_clients.set([orgs[c["slug"]] for c in CLIENTS])
                if user.is_consultancy_staff:
                    Authenticator.objects.create(
                        user=user,
                        type=Authenticator.Type.TOTP,
                        data={"secret": encrypt(DEMO_TOTP_SECRET)},
                    )
        created += self._programme(orgs)
        return created

    def _programme(self, orgs) -> int:
        """A programme a month under way: intake done, plan partly ticked off, a meeting."""
        client = orgs["gemeente-zuidstad"]
        if Programme.objects.filter(organisation=client, name=DEMO_PROGRAMME).exists():
            return 0
        leader = User.objects.get(email="projectleider@swa.example")
        contact = User.objects.get(email="wijkbeheerder@zuidstad.example")
        today = timezone.localdate()
        programme = services.programme_create(
            actor=leader,
            client=client,
            project_leaders=[leader],
            client_contacts=[contact],
            name=DEMO_PROGRAMME,
            neighbourhood="Tarwewijk",
            municipality="Zuidstad",
            postcode_areas="3081, 3082",
            start_date=today - timedelta(days=30),
        )
        services.programme_intake_save(
            actor=leader,
            programme=programme,
            vision="Een schone en veilige Tarwewijk waarin bewoners elkaar kennen en aanspreken.",
            starting_points="Vrijwillig, maar niet vrijblijvend.\n"
            "Het team werkt samen met de wijkbeheerder en de wijkagent.",
            goals=[
                {"description": "Minder grofvuil op straat", "measure": "30% minder meldingen"},
                {
                    "description": "Bewoners kennen het team",
                    "measure": "Buurtonderzoek na een jaar",
                },
            ],
            partners=[
                {
                    "name": "Sanne Visser",
                    "partner_organisation": "Gemeente Zuidstad",
                    "role": "neighbourhood_manager",
                    "email": "wijkbeheerder@zuidstad.example",
                    "phone": "",
                },
                {
                    "name": "Bas Koster",
                    "partner_organisation": "Politie",
                    "role": "community_officer",
                    "email": "",
                    "phone": "",
                },
            ],
            complete=True,
        )
        for milestone in services.plan_generate(actor=leader, programme=programme)[:4]:
            services.milestone_set_done(actor=leader, milestone=milestone, done=True)
        starts = timezone.make_aware(datetime.combine(today + timedelta(days=5), time(19, 30)))
        meeting = services.meeting_create(
            actor=leader,
            programme=programme,
            kind="information",
            title="Informatiebijeenkomst BewonersTeam Tarwewijk",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=30),
            location="Buurthuis De Tarwe, Tarwestraat 12",
            capacity=30,
            description="Kom horen wat een BewonersTeam doet en meld je aan.",
        )
        for name, email in [
            ("Ans Smit", "ans@example.org"),
            ("Youssef Amrani", "youssef@example.org"),
        ]:
            invitee = services.invitee_add(actor=leader, meeting=meeting, name=name, email=email)
            services.meeting_reply(invitee=invitee, attending=True, guests=1)
        return 1

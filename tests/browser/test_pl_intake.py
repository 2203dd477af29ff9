"""A project leader's first hour: from the start page to a client, a new programme there, the
intake with two goals and two partners saved, reopened and saved again unchanged (nothing is
lost), then completed, which ticks the intake milestone of the plan at once."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes.models import Goal, Milestone, Partner, Programme, Progress
from programmes.permissions import Role

from .helpers import login

pytestmark = pytest.mark.browser

GOALS = [
    ("Minder grofvuil op straat", "30% minder meldingen in een jaar"),
    ("Bewoners kennen elkaar", "Twee buurtactiviteiten per jaar"),
]
PARTNERS = [
    ("Henk de Vries", "Woonstichting Noord", "caretaker", "henk@example.org"),
    ("Fatima el Amrani", "Politie Noordstad", "community_officer", ""),
]


def _login(page, base, user):
    login(page, base, user, totp=True)


def _expect_intake(page):
    """Every goal and partner is on the intake page, in its own row."""
    for i, (description, measure) in enumerate(GOALS):
        expect(page.locator(f"#id_goals-{i}-description")).to_have_value(description)
        expect(page.locator(f"#id_goals-{i}-measure")).to_have_value(measure)
    names = [page.locator(f"#id_partners-{i}-name").input_value() for i in range(4)]
    assert sorted(n for n in names if n) == sorted(p[0] for p in PARTNERS)
    for name, organisation, role, email in PARTNERS:
        i = names.index(name)
        expect(page.locator(f"#id_partners-{i}-partner_organisation")).to_have_value(organisation)
        expect(page.locator(f"#id_partners-{i}-role")).to_have_value(role)
        expect(page.locator(f"#id_partners-{i}-email")).to_have_value(email)


def test_project_leader_intake_survives_saving_again(live_server, browser, world, shot, unscoped):
    leader = world.users[Role.PROJECT_LEADER]
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = desk.new_page()
    _login(page, live_server.url, leader)
    expect(page.get_by_role("heading", name="Werkplek")).to_be_visible()
    expect(page.get_by_role("link", name="Nieuw programma", exact=True)).to_be_visible()

    # From the start page to the client, which has no programme yet.
    page.get_by_role("navigation").get_by_role("link", name="Opdrachtgevers").click()
    expect(page.get_by_text("Alleen een beheerder van het adviesbureau kan")).to_be_visible()
    page.get_by_role("link", name=world.client.name).click()
    expect(page.get_by_text("Nog geen programma voor deze opdrachtgever.")).to_be_visible()
    shot(page, "pl-01-client-without-programme")

    # A new programme there.
    page.get_by_role("link", name="Nieuw programma", exact=True).click()
    page.get_by_label("Naam").fill("BewonersTeam Lindehof")
    page.get_by_label("Wijk of buurt").fill("Lindehof")
    page.get_by_label("Gemeente").fill("Noordstad")
    page.get_by_label("Postcodegebieden").fill("3031, 3032")
    page.get_by_label("Startdatum").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Opslaan").click()

    # The intake: vision, two goals, two partners.
    expect(page.get_by_role("heading", name="Visie en uitgangspunten")).to_be_visible()
    page.get_by_label("Visie van de opdrachtgever").fill(
        "Een schone, veilige wijk waar bewoners elkaar kennen."
    )
    for i, (description, measure) in enumerate(GOALS):
        page.locator(f"#id_goals-{i}-description").fill(description)
        page.locator(f"#id_goals-{i}-measure").fill(measure)
    for i, (name, organisation, role, email) in enumerate(PARTNERS):
        page.locator(f"#id_partners-{i}-name").fill(name)
        page.locator(f"#id_partners-{i}-partner_organisation").fill(organisation)
        page.locator(f"#id_partners-{i}-role").select_option(role)
        page.locator(f"#id_partners-{i}-email").fill(email)
    shot(page, "pl-02-intake-filled")
    page.get_by_role("button", name="Intake opslaan").click()
    expect(page.get_by_text("De intake is opgeslagen.")).to_be_visible()
    programme = Programme.objects.get(name="BewonersTeam Lindehof")
    assert Goal.objects.filter(programme=programme).count() == 2
    assert Partner.objects.filter(programme=programme).count() == 2

    # Reopen the intake by clicking and save it again unchanged.
    page.get_by_role("link", name="Intake", exact=True).click()
    _expect_intake(page)
    page.get_by_role("button", name="Intake opslaan").click()
    expect(page.get_by_text("De intake is opgeslagen.")).to_be_visible()
    for description, _measure in GOALS:
        expect(page.get_by_text(description)).to_be_visible()
    shot(page, "pl-03-overview-after-saving-again")

    # Reopen: still all there.
    page.get_by_role("link", name="Intake", exact=True).click()
    _expect_intake(page)
    assert Goal.objects.filter(programme=programme).count() == 2
    assert Partner.objects.filter(programme=programme).count() == 2

    # The plan of approach, then complete the intake: its milestone is ticked at once.
    page.get_by_role("link", name="Overzicht").click()
    page.get_by_role("button", name="Plan van aanpak maken op basis van het sjabloon").click()
    intake_row = page.locator("tr", has_text="Intakegesprek met de opdrachtgever")
    expect(intake_row.get_by_role("button", name=re.compile("afvinken"))).to_be_visible()
    page.get_by_role("link", name="Intake", exact=True).click()
    page.get_by_role("button", name="Intake afronden").click()
    expect(page.get_by_text("De intake is opgeslagen en afgerond.")).to_be_visible()
    page.get_by_role("link", name="Intake", exact=True).click()
    expect(page.get_by_text("De mijlpaal voor de intake in het plan is afgevinkt.")).to_be_visible()
    _expect_intake(page)
    shot(page, "pl-04-intake-completed")
    page.get_by_role("link", name="Plan van aanpak").click()
    intake_row = page.locator("tr", has_text="Intakegesprek met de opdrachtgever")
    expect(intake_row.get_by_role("button", name=re.compile("openzetten"))).to_be_visible()
    assert Milestone.objects.get(programme=programme, key=Progress.INTAKE_COMPLETED).is_done
    total = Milestone.objects.filter(programme=programme).count()
    status = page.locator("#plan-status")
    expect(status).to_contain_text(f"1/{total}")

    # Ticking the next milestone updates the progress at once, without a reload.
    plan_row = page.locator("tr", has_text="Plan van aanpak vastgesteld")
    plan_row.get_by_role("button", name=re.compile("afvinken")).click()
    expect(status).to_contain_text(f"2/{total}")
    expect(status).to_contain_text("Werving")
    shot(page, "pl-05-plan-ticked")

    # A workshop recorded afterwards: the past date is warned about and must be confirmed.
    page.get_by_role("link", name="Overzicht").click()
    page.get_by_role("link", name="Nieuwe bijeenkomst").click()
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    page.get_by_label("Soort").select_option("workshop")
    page.get_by_label("Titel").fill("Workshop Effectief Communiceren")
    page.get_by_label("Begint om").fill(yesterday.strftime("%Y-%m-%dT19:00"))
    page.get_by_label("Eindigt om").fill(yesterday.strftime("%Y-%m-%dT21:00"))
    page.locator("#id_location").fill("Buurthuis De Linde")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Deze training begint in het verleden")).to_be_visible()
    expect(page.get_by_label("Titel")).to_have_value("Workshop Effectief Communiceren")
    shot(page, "pl-07-past-training-warning")
    page.get_by_label("Ja, deze datum ligt in het verleden").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De bijeenkomst is aangemaakt.")).to_be_visible()
    desk.close()


def test_workspace_new_programme_chooses_the_client(live_server, browser, world, shot, unscoped):
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = desk.new_page()
    _login(page, live_server.url, world.users[Role.PROJECT_LEADER])
    page.get_by_role("link", name="Nieuw programma", exact=True).click()
    expect(page.get_by_role("heading", name="Voor welke opdrachtgever?")).to_be_visible()
    expect(page.get_by_text("Alleen een beheerder van het adviesbureau kan")).to_be_visible()
    shot(page, "pl-06-choose-client")
    page.get_by_role("link", name=f"Nieuw programma voor {world.client.name}").click()
    expect(
        page.get_by_role("heading", name=f"Nieuw programma voor {world.client.name}")
    ).to_be_visible()
    desk.close()

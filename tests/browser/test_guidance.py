"""Guidance over the years in the browser: the project leader plans and writes an evaluation
with the client and opens it for input, the client adds its input in the portal, the leader
holds and shares it (PDF) and keeps the action plan; at the end the programme is closed and
reads as an archive."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from programmes import services
from programmes.permissions import Role

from .helpers import login as _login

pytestmark = pytest.mark.browser


def test_evaluation_with_the_client_action_plan_and_closing(
    live_server, browser, world, shot, settings, unscoped
):
    settings.SITE_URL = live_server.url
    leader, staff = world.users[Role.PROJECT_LEADER], world.users[Role.CLIENT_STAFF]
    programme = services.programme_create(
        actor=leader,
        client=world.client,
        project_leaders=[leader],
        client_contacts=[staff],
        name="BewonersTeam Lindehof",
        neighbourhood="Lindehof",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    services.programme_intake_save(
        actor=leader,
        programme=programme,
        vision="Een schone wijk.",
        starting_points="",
        goals=[],
        partners=[
            {
                "name": "Bas Koster",
                "partner_organisation": "Politie",
                "role": "community_officer",
                "email": "",
                "phone": "",
            }
        ],
    )
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = desk.new_page()
    _login(page, live_server.url, leader, totp=True)
    page.get_by_role("link", name="BewonersTeam Lindehof").first.click()
    page.get_by_role("link", name="Evaluaties").click()
    expect(page.get_by_role("heading", name="Planning", exact=True)).to_be_visible()
    page.get_by_label("Soort").select_option("client")
    page.get_by_label("Geplande datum").fill("2027-03-01")
    page.get_by_role("button", name="Plannen", exact=True).click()
    expect(page.get_by_text("De evaluatie is gepland.")).to_be_visible()
    page.get_by_label("Wat ging goed").fill("De rondes op dinsdag lopen goed.")
    page.get_by_label("Wat kan beter").fill("Meer bewoners aanspreken.")
    page.get_by_label("Afspraken").fill("Elke ronde een gesprek\nWijkagent loopt mee")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_text("De evaluatie is opgeslagen.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Wat ging goed")).to_have_value("De rondes op dinsdag lopen goed.")
    page.get_by_role("button", name="Openzetten voor inbreng van de opdrachtgever").click()
    expect(page.get_by_text("De evaluatie is nu: Open voor inbreng.")).to_be_visible()
    shot(page, "guidance-01-evaluation-open")

    # The client adds its input in the portal.
    portal = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    client_page = portal.new_page()
    _login(client_page, live_server.url, staff)
    client_page.get_by_role("link", name="BewonersTeam Lindehof").first.click()
    client_page.get_by_role("link", name="Evaluaties").click()
    expect(client_page.get_by_text("Jouw inbreng wordt gevraagd")).to_be_visible()
    client_page.get_by_role("link", name="Evaluatie met de opdrachtgever").click()
    client_page.get_by_role("textbox", name="Jouw inbreng").fill(
        "Fijn dat de huismeester meeloopt."
    )
    client_page.get_by_role("button", name="Inbreng opslaan").click()
    expect(client_page.get_by_text("Dank je wel: je inbreng is opgeslagen.")).to_be_visible()
    client_page.reload()
    expect(client_page.get_by_text("Fijn dat de huismeester meeloopt.")).to_be_visible()
    shot(client_page, "guidance-02-portal-input")

    # The leader sees it, holds and shares the evaluation.
    page.reload()
    expect(page.get_by_text("Fijn dat de huismeester meeloopt.")).to_be_visible()
    page.get_by_role("button", name="Markeren als gehouden").click()
    page.get_by_role("button", name="Delen met de opdrachtgever (pdf)").click()
    expect(page.get_by_text("De evaluatie is nu: Gedeeld met de opdrachtgever.")).to_be_visible()
    expect(page.get_by_role("link", name="Downloaden")).to_be_visible()
    shot(page, "guidance-03-evaluation-shared")

    # The action plan.
    page.get_by_role("link", name="Actieplan").click()
    page.get_by_role("textbox", name="Actie").first.fill("Grofvuilactie in de Lindelaan")
    page.get_by_label("Eigenaar").fill("Team")
    page.get_by_label("Partner").select_option(label="Bas Koster")
    page.get_by_label("Datum").fill("2027-04-01")
    page.get_by_label("Bron").select_option("survey")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_text("De actie is toegevoegd aan het actieplan.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("link", name="Grofvuilactie in de Lindelaan")).to_be_visible()
    shot(page, "guidance-04-action-plan")
    client_page.get_by_role("link", name="BewonersTeam Lindehof").click()
    client_page.get_by_role("link", name="Actieplan").click()
    expect(client_page.get_by_text("Grofvuilactie in de Lindelaan")).to_be_visible()
    expect(client_page.get_by_text("Bas Koster")).to_be_visible()

    # Closing the programme at its end.
    page.get_by_role("link", name="Evaluaties").click()
    page.get_by_role("link", name="Programma afsluiten").click()
    page.get_by_label("Een woord van dank aan het team").fill("Dank voor jullie inzet!")
    page.get_by_label("Ik begrijp dat het programma voor iedereen alleen-lezen wordt.").check()
    page.get_by_role("button", name="Programma afsluiten").click()
    expect(page.get_by_role("heading", name="Dit programma is afgesloten")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Afgesloten")
    shot(page, "guidance-05-closed")
    page.get_by_role("link", name="Actieplan").click()
    # Read-only: the action is listed, no longer a link to its form, and nothing can be added.
    expect(page.get_by_role("cell", name="Grofvuilactie in de Lindelaan")).to_be_visible()
    expect(page.get_by_role("link", name="Grofvuilactie in de Lindelaan")).to_have_count(0)
    expect(page.get_by_role("button", name="Toevoegen")).to_have_count(0)
    client_page.reload()
    expect(client_page.locator("h1 .badge")).to_have_text("Afgesloten")
    shot(client_page, "guidance-06-portal-closed")

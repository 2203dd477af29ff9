"""The periodic report in a browser: the project leader finds the Reports tab from the start
page, makes a draft for a period, writes the commentary, approves it after confirming and sees
it sent; the client's staff then find it on their documents page."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from programmes import services
from programmes.permissions import Role

from .helpers import login

pytestmark = pytest.mark.browser


def test_the_project_leader_approves_a_report_and_the_client_finds_it(
    live_server, page, world, shot, unscoped
):
    pl, staff = world.users[Role.PROJECT_LEADER], world.users[Role.CLIENT_STAFF]
    programme = services.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        client_contacts=[staff],
        name="BewonersTeam Lindehof",
        neighbourhood="Lindehof",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    login(page, live_server.url, pl, totp=True)
    page.get_by_role("link", name=programme.name).first.click()
    page.get_by_role("link", name="Rapportages").click()
    page.locator("#id_period_start").fill("2026-10-01")
    page.locator("#id_period_end").fill("2026-10-31")
    page.get_by_role("button", name="Concept maken").click()
    expect(
        page.get_by_role("heading", name=re.compile("Rapportage 1 oktober 2026"))
    ).to_be_visible()
    page.get_by_role("textbox", name="Je toelichting").fill("Een goede maand voor de Lindehof.")
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_text("Het concept is opgeslagen.")).to_be_visible()
    shot(page, "report-draft")
    page.get_by_role("button", name="Goedkeuren en versturen").click()
    # Not confirmed yet: the browser asks for the box first (it is required).
    expect(page.get_by_text("Goedgekeurd: de pdf")).not_to_be_visible()
    page.get_by_label("Ik heb het concept gelezen; het mag naar de opdrachtgever.").check()
    page.get_by_role("button", name="Goedkeuren en versturen").click()
    progress = page.locator(".report-progress")
    expect(progress.get_by_text("Verstuurd").first).to_be_visible(timeout=60000)
    expect(progress.get_by_text(staff.email)).to_be_visible()
    shot(page, "report-sent")

    page.context.clear_cookies()
    login(page, live_server.url, staff)
    page.get_by_role("link", name="Documenten").first.click()
    # Named by its period, and downloaded under that name.
    row = page.locator("tbody tr").filter(has_text="Rapportage oktober 2026")
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name=re.compile("Downloaden"))).to_have_attribute(
        "download", "rapportage-oktober-2026-lindehof.pdf"
    )
    shot(page, "report-on-documents-page")

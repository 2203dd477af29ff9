"""The consultancy's overview in a browser: the project leader opens it from the main menu,
sees which programme needs action and why in words, filters on that flag, goes on to the
programme by clicking it and opens its figures tab."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from programmes import services
from programmes.permissions import Role
from reporting.services.summary import summaries_rebuild

from ..builders import report_signal
from .helpers import login

pytestmark = pytest.mark.browser


@pytest.fixture
def programmes(world, team):
    """The team's programme ("Team Noord") has two signals open at the client for three weeks,
    past their handling time; a second programme of the client needs nothing."""
    programme, _member, categories = team
    main = [c for c in categories if c.parent_id is None]
    report_signal(team, main[0], hours_ago=24 * 21, description="Matras bij de container")
    report_signal(team, main[1], hours_ago=24 * 20, description="Lantaarnpaal kapot")
    pl = world.users[Role.PROJECT_LEADER]
    quiet = services.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        name="BewonersTeam Rozenbuurt",
        neighbourhood="Rozenbuurt",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    summaries_rebuild()
    return programme, quiet


def test_the_project_leader_finds_the_programme_that_needs_action(
    live_server, browser, world, programmes, shot, axe
):
    flagged, quiet = programmes
    pl = world.users[Role.PROJECT_LEADER]
    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    page = desk.new_page()
    login(page, live_server.url, pl, totp=True)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Stand van zaken"
    ).click()
    expect(page.get_by_role("heading", name="Overzicht over alle opdrachtgevers")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    flagged_row = rows.filter(has_text=flagged.name)
    expect(flagged_row).to_contain_text("2 meldingen over tijd bij de opdrachtgever")
    expect(rows.filter(has_text=quiet.name)).to_contain_text("Niets")
    shot(page, "rp-11-overview")
    axe(page, "rp-overview")

    # Only the programmes with signals overdue: the flag's own button.
    flags = page.get_by_role("region", name="Vraagt actie")
    flags.get_by_role("link", name=re.compile("Meldingen over tijd bij de opdrachtgever")).click()
    expect(page).to_have_url(re.compile(r"flag=signals_overdue"))
    expect(page.get_by_role("combobox", name="Vraagt actie")).to_have_value("signals_overdue")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(flagged.name)
    expect(rows.first).to_contain_text("2 meldingen over tijd bij de opdrachtgever")
    shot(page, "rp-12-overview-flag")

    # On to the programme, and its figures.
    rows.first.get_by_role("link", name=flagged.name).click()
    expect(page.get_by_role("heading", name=re.compile(flagged.name)).first).to_be_visible()
    page.get_by_role("link", name="Cijfers", exact=True).click()
    expect(page.get_by_role("heading", name=f"Cijfers van {flagged.name}")).to_be_visible()
    open_now = page.locator(".dashboard-totals li").filter(has_text="nu open")
    expect(open_now.locator(".dashboard-number")).to_have_text("2")
    expect(open_now).to_contain_text("2 te laat")
    shot(page, "rp-13-programme-figures")
    desk.close()


def test_the_overview_on_a_phone(live_server, phone, world, programmes, shot):
    flagged, _quiet = programmes
    login(phone, live_server.url, world.users[Role.PROJECT_LEADER], totp=True)
    phone.get_by_role("button", name=re.compile("menu", re.I)).first.click()
    phone.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Stand van zaken"
    ).click()
    row = phone.locator("tbody tr").filter(has_text=flagged.name)
    expect(row).to_contain_text("2 meldingen over tijd bij de opdrachtgever")
    shot(phone, "rp-14-overview-phone")
    overflow = phone.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the overview is {overflow}px wider than the phone"

"""Client staff's first look at the portal: what waits for them, the urgent signals, where a
signal is, and following one up."""

import re

import pytest
from playwright.sync_api import expect

from patrols.models import Signal
from programmes.permissions import Role

from ..builders import candidate, report_signal
from .helpers import login as _login

pytestmark = pytest.mark.browser

# A light grey 1×1 PNG as every map tile: tests never reach an outside tile server.
GREY_TILE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwAB"
    "AQEAWnUu5QAAAABJRU5ErkJggg=="
)


@pytest.fixture
def signals(world, team):
    programme, _member, categories = team
    main = [c for c in categories if c.parent_id is None]
    bulky = report_signal(
        team,
        main[0],
        hours_ago=3,
        description="Bank en matras naast de container",
        urgent=True,
        latitude=52.090000,
        longitude=5.120000,
        street="Lindelaan",
        house_number="12",
    )
    # Saved in a few taps, with the position only: 20 m north of the bulky waste.
    near = report_signal(
        team,
        main[1],
        hours_ago=1,
        description="",
        urgent=True,
        latitude=52.090180,
        longitude=5.120000,
    )
    report_signal(team, main[2], hours_ago=2, description="Stoeptegel los", street="Speelpad")
    report_signal(team, main[0], hours_ago=24 * 20, description="Oude melding", street="Kerkstraat")
    pl = world.users[Role.PROJECT_LEADER]
    candidate(
        world,
        programme,
        source="paper",
        actor=pl,
        name="Fatima",
        email="fatima@example.org",
        house_number="3",
    )
    return bulky, near


def test_client_staff_follows_up_an_urgent_signal(
    live_server, browser, world, signals, settings, shot, axe, unscoped
):
    settings.MAP_TILE_URL = GREY_TILE
    bulky, near = signals
    staff = world.users[Role.CLIENT_STAFF]
    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    page = desk.new_page()
    _login(page, live_server.url, staff)

    # What waits: one candidate, three open signals of which two urgent, one overdue.
    expect(page.get_by_role("heading", name="Wat op je wacht")).to_be_visible()
    expect(page.get_by_role("link", name="1 kandidaat wacht op je besluit")).to_be_visible()
    expect(page.get_by_role("link", name="4 open meldingen")).to_be_visible()
    expect(page.get_by_role("link", name="1 melding over de afhandeltermijn")).to_be_visible()
    shot(page, "po-01-portal-home")
    axe(page, "po-portal-home")

    page.get_by_role("link", name="2 dringende meldingen").click()
    expect(page).to_have_url(re.compile(r"urgent=1"))
    expect(page.get_by_label("Alleen dringend")).to_be_checked()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Lindelaan 12")).to_have_count(2)
    expect(page.get_by_text("bij Lindelaan 12 (ongeveer)")).to_be_visible()
    shot(page, "po-02-urgent-signals")

    page.get_by_role("link", name=str(bulky.category)).click()
    expect(page.get_by_role("heading", name=re.compile(str(bulky.category)))).to_be_visible()
    expect(page.locator("[data-signal-place]")).to_have_text("Lindelaan 12")
    map_box = page.get_by_role("region", name="Kaart van de plek van de melding")
    expect(map_box).to_be_visible()
    expect(map_box.locator(".leaflet-marker-icon")).to_be_visible()
    coordinates = page.locator("details", has_text="Coördinaten")  # a detail, folded away
    expect(coordinates).not_to_have_attribute("open", "")
    coordinates.get_by_text("Coördinaten").click()
    expect(coordinates).to_have_attribute("open", "")
    expect(coordinates).to_contain_text("52.090000, 5.120000")
    shot(page, "po-03-signal")
    axe(page, "po-signal")

    page.get_by_label("Nieuwe status").select_option(label="Opgelost")
    page.get_by_label("Notitie").fill("Opgehaald door de reiniging.")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De melding is bijgewerkt.")).to_be_visible()

    # Back to the list and open it again: the status and the note are there.
    page.get_by_role("navigation", name="Kruimelpad").get_by_role("link", name="Meldingen").click()
    page.get_by_role("link", name=str(bulky.category)).first.click()
    expect(page.get_by_text("Opgelost").first).to_be_visible()
    expect(page.get_by_text("Opgehaald door de reiniging.")).to_be_visible()
    shot(page, "po-04-signal-resolved")
    bulky.refresh_from_db()
    assert bulky.status == "resolved"

    # On a phone-sized screen, without a tile server: the cards and the place in words.
    settings.MAP_TILE_URL = ""
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
    )
    small = phone.new_page()
    _login(small, live_server.url, staff)
    expect(small.get_by_role("link", name="1 dringende melding")).to_be_visible()
    shot(small, "po-05-portal-home-phone")
    small.get_by_role("link", name="1 dringende melding").click()
    expect(small.get_by_text("Er is geen kaartserver ingesteld")).to_be_visible()
    shot(small, "po-06-urgent-signals-phone")
    small.get_by_role("link", name=str(near.category)).click()
    expect(small.locator("[data-signal-place]")).to_have_text("bij Lindelaan 12 (ongeveer)")
    expect(small.get_by_text("Geen kaart: er is geen kaartserver ingesteld.")).to_be_visible()
    shot(small, "po-07-signal-phone")
    assert Signal.objects.filter(status="resolved").count() == 1
    phone.close()
    desk.close()

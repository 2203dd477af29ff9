"""The consultancy admin handles an applicant's request: from the start page to Privacy, finds
the applicant by e-mail, downloads the export (a ZIP with their application) and erases
them after typing the address; the request log says it was handled and a new search finds
nothing."""

import json
import zipfile

import pytest
from playwright.sync_api import expect

from programmes.permissions import Role
from recruitment import services
from recruitment.models import Application

from .helpers import login as _login

pytestmark = pytest.mark.browser


def test_admin_exports_and_erases_an_applicant(
    live_server, browser, world, team, shot, settings, unscoped
):
    settings.SITE_URL = live_server.url
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    services.application_submit(
        programme=programme,
        consent="ja",
        name="Fatma Yilmaz",
        email="fatma@example.org",
        phone="0612121212",
        street="Lindelaan",
        house_number="7",
        postcode="3031 AB",
        motivation="Ik ken iedereen in de straat.",
    )
    services.application_submit(
        programme=programme,
        consent="ja",
        name="Piet Bakker",
        email="piet@example.org",
        street="Dorpsstraat",
        house_number="3",
        postcode="3031 AC",
        motivation="Graag.",
    )

    desk = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        accept_downloads=True,
    )
    page = desk.new_page()
    _login(page, live_server.url, world.users[Role.CONSULTANCY_ADMIN], totp=True)
    page.get_by_role("link", name="Privacy", exact=True).click()
    expect(page.get_by_role("heading", name="Register van persoonsgegevens")).to_be_visible()
    expect(page.get_by_role("cell", name="Aanmelder").first).to_be_visible()
    shot(page, "pv-privacy-page")

    page.get_by_label("Organisatie").select_option(label=world.client.name)
    page.get_by_label("E-mailadres of volledige naam").fill("fatma@example.org")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text("Fatma Yilmaz").first).to_be_visible()
    expect(page.get_by_text("Piet Bakker")).to_have_count(0)
    shot(page, "pv-privacy-person")

    with page.expect_download() as info:
        page.get_by_role("button", name="Export downloaden (ZIP)").click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(download.path())
    payload = json.loads(archive.read("gegevens.json"))
    assert payload["records"]["application"][0]["name"] == "Fatma Yilmaz"
    assert "Piet" not in json.dumps(payload)

    page.get_by_label("Typ “fatma@example.org” om te bevestigen").fill("fatma@example.org")
    page.get_by_role("button", name="Gegevens van deze persoon wissen").click()
    expect(page.get_by_text("Gewist:")).to_be_visible()
    shot(page, "pv-privacy-erased")
    requests = page.get_by_role("table").first
    expect(requests.get_by_role("cell", name="Wissen")).to_be_visible()
    expect(requests.get_by_text("Export", exact=True)).to_be_visible()

    # Reopened: a new search finds nothing, the other applicant is untouched.
    page.reload()
    page.get_by_label("Organisatie").select_option(label=world.client.name)
    page.get_by_label("E-mailadres of volledige naam").fill("fatma@example.org")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text("Niets gevonden over deze persoon.")).to_be_visible()
    assert not Application.objects.filter(name="Fatma Yilmaz").exists()
    assert Application.objects.filter(name="Piet Bakker").exists()
    assert Application.objects.count() == 2


def test_a_member_asks_for_erasure_from_the_phone_app(
    live_server, phone, world, team, shot, settings, unscoped
):
    from programmes.models import PrivacyRequest

    settings.SITE_URL = live_server.url
    member = team[1]
    _login(phone, live_server.url, member)
    phone.get_by_role("link", name="Mijn gegevens").click()
    expect(phone.get_by_role("heading", name="Mijn gegevens", exact=True)).to_be_visible()
    with phone.expect_download() as info:
        phone.get_by_role("button", name="Mijn gegevens downloaden").click()
    payload = json.loads(zipfile.ZipFile(info.value.path()).read("gegevens.json"))
    assert payload["records"]["account"][0]["email"] == member.email
    phone.get_by_role("button", name="Vraag om mijn gegevens te wissen").click()
    expect(phone.get_by_text("Je verzoek is verstuurd.")).to_be_visible()
    phone.reload()
    expect(phone.get_by_text("Het adviesbureau handelt je verzoek af")).to_be_visible()
    expect(phone.get_by_role("button", name="Vraag om mijn gegevens te wissen")).to_have_count(0)
    shot(phone, "pv-member-my-data")
    assert PrivacyRequest.objects.get(status="pending").subject == member.email

"""Issue 13's loop through an Open311 system: a team member logs an urgent signal on the phone;
the client's staff member gets the mail at once and the signal lands in their own Open311
system (a real GeoReport v2 server on loopback); that system closes it with a note, the poll
reads it back, and the member sees "resolved" (Opgelost) with the note in the app."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from patrols.handoff.tasks import open311_poll_all
from patrols.models import Signal
from patrols.models_handoff import Handoff, HandoffChannel
from patrols.services import handoff as handoff_service
from patrols.services import open311 as open311_service
from programmes.permissions import Role

from ..factories import PASSWORD
from ..patrols.open311_server import Open311Server
from .helpers import login as _login

pytestmark = pytest.mark.browser

HERE = {"latitude": 52.090701, "longitude": 5.121403}
NOTE = "Lantaarnpaal vervangen door de aannemer, dank je wel!"


@pytest.fixture
def system():
    server = Open311Server().start()
    yield server
    server.stop()


def _screen(page, name):
    """What the phone shows, for people to look at (and the full page under artifacts)."""
    page.screenshot(path=f"/tmp/h9-{name}.png")


def test_urgent_signal_goes_to_open311_and_the_answer_reaches_the_member(
    live_server, phone, world, team, settings, system, shot, unscoped
):
    settings.HANDOFF_ALLOW_LOCAL_TARGETS = True
    programme, member, categories = team
    staff = world.users[Role.CLIENT_STAFF]
    lighting = next(c for c in categories if c.name == "Verlichting")
    channel, _ = handoff_service.handoff_channel_create(
        actor=staff,
        organisation=world.client,
        kind=HandoffChannel.Kind.OPEN311,
        name="Meldingen Noordstad",
        target=system.base,
        api_key=system.api_key,
    )
    open311_service.open311_services_fetch(actor=staff, channel=channel)
    open311_service.open311_services_map(
        actor=staff, channel=channel, mapping={lighting.pk: "VL-02"}
    )
    handoff_service.category_route_create(actor=staff, channel=channel, programme=programme)
    mail.outbox.clear()

    # The member, on the phone: start a round, report a broken lamp as urgent.
    base = live_server.url
    phone.context.grant_permissions(["geolocation"], origin=base)
    phone.context.set_geolocation(HERE)
    phone.goto(base + "/accounts/login/")
    phone.get_by_label("E-mailadres").fill(member.email)
    phone.get_by_label("Wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen").click()
    expect(phone.get_by_role("link", name="Ronde starten")).to_be_visible()
    phone.get_by_role("link", name="Ronde starten").click()
    phone.get_by_role("button", name="Ronde starten").click()
    expect(phone.get_by_text("Ronde bezig sinds")).to_be_visible()
    phone.get_by_role("button", name="Iets melden").click()
    expect(phone.get_by_text("Locatie: automatisch bepaald")).to_be_visible()
    phone.get_by_role("button", name="Verlichting").click()
    phone.get_by_label("Korte beschrijving (mag)").fill("Lantaarnpaal ligt om")
    phone.get_by_label("Dringend: vandaag actie nodig").check()
    _screen(phone, "01-urgent-signal")
    with phone.expect_response(
        lambda r: "/api/signals/" in r.url and r.request.method == "POST"
    ) as sent:
        phone.get_by_role("button", name="Opslaan", exact=True).click()
    assert sent.value.status == 201
    expect(phone.get_by_text("Melding bewaard.")).to_be_visible()
    _screen(phone, "02-saved")

    signal = Signal.objects.get(description="Lantaarnpaal ligt om")
    assert signal.urgent

    # The client's staff member has the mail at once.
    urgent = [
        m
        for m in mail.outbox
        if any(staff.email in to for to in m.to) and "Dringende melding" in m.subject
    ]
    assert len(urgent) == 1, [(m.to, m.subject) for m in mail.outbox]
    assert "Verlichting" in urgent[0].subject

    # ...and the signal is in their own Open311 system, under their service.
    (posted,) = system.posted
    assert posted["form"]["service_code"] == "VL-02"
    assert "Lantaarnpaal ligt om" in posted["form"]["description"]
    assert "(urgent)" in posted["form"]["description"]
    assert (posted["form"]["lat"], posted["form"]["long"]) == ("52.090701", "5.121403")
    handoff = Handoff.objects.get(signal=signal)
    assert (handoff.state, handoff.external_ref) == (Handoff.State.DELIVERED, "SR-1001")

    # Their system closes it with a note; the beat's poll reads it back.
    system.close("SR-1001", NOTE)
    assert open311_poll_all() == 1
    signal.refresh_from_db()
    assert signal.status == "resolved"

    # The member finds it resolved, with the note, under their signals.
    phone.get_by_role("link", name="Mijn meldingen").first.click()
    card = phone.get_by_role("link", name=re.compile("Verlichting"))
    expect(card).to_contain_text("Opgelost")
    _screen(phone, "03-my-signals")
    card.click()
    expect(phone.locator("main .badge").first).to_have_text("Opgelost")
    expect(phone.locator("[data-client-note]")).to_have_text(NOTE)
    _screen(phone, "04-resolved-with-note")
    shot(phone, "ho-open311-resolved-with-note")


def test_client_connects_open311_and_maps_its_services(
    live_server, browser, world, team, settings, system, shot, axe, unscoped
):
    settings.HANDOFF_ALLOW_LOCAL_TARGETS = True
    _programme, _member, categories = team
    lighting = next(c for c in categories if c.name == "Verlichting")
    staff = world.users[Role.CLIENT_STAFF]
    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    page = desk.new_page()
    _login(page, live_server.url, staff)
    page.goto(f"{live_server.url}/portal/{world.client.slug}/handoff/")
    page.get_by_label("Soort").select_option(label="Open311 (GeoReport v2)")
    page.get_by_label("Naam").fill("Meldingen Noordstad")
    page.get_by_label("Adres").fill(system.base)
    page.get_by_label("API-sleutel (Open311)").fill(system.api_key)
    page.get_by_role("button", name="Koppel").click()
    expect(page.get_by_text("is aangemaakt")).to_be_visible()
    assert system.api_key not in page.content()
    channel = HandoffChannel.objects.get(name="Meldingen Noordstad")

    page.get_by_role("button", name="Diensten ophalen").click()
    expect(page.get_by_text("Je systeem biedt 3 diensten")).to_be_visible()
    box = page.locator(f"[data-open311='{channel.pk}']")
    box.get_by_label(f"{_programme.name}: Verlichting", exact=True).select_option(
        label="Openbare ruimte: Straatverlichting"
    )
    page.screenshot(path="/tmp/h9-05-services.png", full_page=True)
    axe(page, "handoff-open311-settings")
    box.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De diensten zijn bewaard.")).to_be_visible()
    channel.refresh_from_db()
    assert channel.service_map == {str(lighting.pk): "VL-02"}
    assert system.api_key not in page.content()
    shot(page, "ho-open311-services-mapped")
    desk.close()

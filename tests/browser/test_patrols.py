"""A round walked without a connection: records wait on the phone, survive a reload and arrive
exactly once when the connection returns."""

import re

import pytest
from playwright.sync_api import expect

from patrols.models import Conversation, Round, Signal, SignalPhoto
from programmes.permissions import Role

from ..factories import PASSWORD

pytestmark = pytest.mark.browser


def _photo(tmp_path):
    from PIL import Image

    path = tmp_path / "grofvuil.jpg"
    Image.new("RGB", (2400, 1800), "#7a5c3a").save(path, format="JPEG")
    return path


def test_offline_round_arrives_once(
    live_server, browser, playwright, world, team, shot, tmp_path, unscoped
):
    programme, member, _categories = team
    device = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    context = browser.new_context(**device, locale="nl-NL")
    phone = context.new_page()
    base = live_server.url
    phone.goto(base + "/accounts/login/")
    phone.get_by_label("E-mailadres").fill(member.email)
    phone.get_by_label("Wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen").click()
    expect(phone.get_by_role("link", name="Ronde starten")).to_be_visible()
    # The service worker takes control; then the round screen is visited once with a connection.
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    phone.get_by_role("link", name="Ronde starten").click()
    expect(phone.get_by_role("button", name="Ronde starten")).to_be_visible()

    context.set_offline(True)
    phone.get_by_role("button", name="Ronde starten").click()
    expect(phone.get_by_text("Ronde bezig sinds")).to_be_visible()

    phone.get_by_role("button", name="Iets melden").click()
    phone.get_by_role("button", name="Opslaan", exact=True).click()
    expect(phone.get_by_text("Kies een categorie.")).to_be_visible()
    phone.get_by_role("button", name=re.compile(r"^Zwerfvuil en grofvuil")).click()
    phone.get_by_role("button", name="Grofvuil", exact=True).click()
    expect(phone.get_by_text("Zwerfvuil en grofvuil › Grofvuil")).to_be_visible()
    phone.get_by_label("Korte beschrijving").fill("Bank en matras naast de container")
    phone.get_by_text("Adres toevoegen").click()
    phone.get_by_label("Straat").fill("Lindelaan")
    phone.get_by_label("Nummer").fill("12")
    with phone.expect_file_chooser() as chooser:
        phone.get_by_role("button", name="Foto", exact=True).click()
    chooser.value.set_files(str(_photo(tmp_path)))
    expect(phone.get_by_role("img", name="Foto 1")).to_be_visible()
    shot(phone, "30-phone-signal-offline")
    phone.get_by_role("button", name="Opslaan", exact=True).click()
    expect(phone.get_by_text("Melding bewaard.")).to_be_visible()

    phone.get_by_role("button", name="Iets melden").click()
    phone.get_by_role("button", name="Verlichting").click()
    phone.get_by_label("Korte beschrijving").fill("Lantaarnpaal bij het speeltuintje is kapot")
    phone.get_by_text("Adres toevoegen").click()
    phone.get_by_label("Straat").fill("Speelpad")
    phone.get_by_label("Dringend: vandaag actie nodig").check()
    phone.get_by_role("button", name="Opslaan", exact=True).click()

    phone.get_by_role("button", name="Ik heb iemand aangesproken").click()
    phone.get_by_label("Onderwerp").select_option("litter")
    phone.get_by_label("Ging goed").check()
    phone.get_by_role("button", name="Gesprek opslaan").click()
    expect(phone.get_by_text("2 meldingen · 1 gesprek")).to_be_visible()

    phone.get_by_role("button", name="Ronde afsluiten").click()  # opens the end form
    phone.get_by_role("button", name="Ronde afsluiten").click()
    expect(phone.get_by_text("Ronde afgesloten. Dank je wel!")).to_be_visible()
    # round start, 2 signals, 1 photo, 1 conversation, round end
    expect(phone.locator("[data-outbox-count]").first).to_have_text("6")
    shot(phone, "31-phone-waiting")
    assert Signal.objects.count() == 0 and Round.objects.count() == 0

    phone.reload()  # still offline: the page comes from the service worker's cache
    expect(phone.get_by_role("button", name="Ronde starten")).to_be_visible()
    expect(phone.locator("[data-outbox-count]").first).to_have_text("6")
    expect(phone.get_by_text("Geen verbinding.")).to_be_visible()
    shot(phone, "32-phone-reloaded-offline")

    context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator("[data-outbox-banner]").first).to_be_hidden(timeout=20000)
    shot(phone, "33-phone-sent")
    assert Round.objects.count() == 1 and Round.objects.get().ended_at is not None
    assert Signal.objects.count() == 2 and SignalPhoto.objects.count() == 1
    assert Conversation.objects.count() == 1
    photo = SignalPhoto.objects.get()
    assert max(photo.width, photo.height) <= 1600  # made smaller on the phone
    assert Signal.objects.filter(round__isnull=False).count() == 2
    # Sending again changes nothing: the outbox is empty and the server keeps one of each.
    phone.evaluate("window.BewonersTeamOutbox.flush()")
    assert Signal.objects.count() == 2 and Round.objects.count() == 1

    # The client follows up and resolves the bulky waste; the member sees it resolved.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    portal = desk.new_page()
    portal.goto(base + "/accounts/login/")
    portal.get_by_label("E-mailadres").fill(world.users[Role.CLIENT_STAFF].email)
    portal.get_by_label("Wachtwoord").fill(PASSWORD)
    portal.get_by_role("button", name="Inloggen").click()
    portal.get_by_role("link", name="Meldingen van het team").click()
    expect(portal.get_by_role("link", name=re.compile("Grofvuil"))).to_be_visible()
    shot(portal, "34-portal-signals")
    portal.get_by_role("link", name=re.compile("Grofvuil")).click()
    # The photo arrived, but the client sees it only once the consultancy has reviewed it.
    expect(portal.get_by_text("1 foto wordt door het adviesbureau bekeken")).to_be_visible()
    expect(portal.get_by_role("img", name=re.compile("Foto 1"))).to_have_count(0)
    portal.get_by_label("Nieuwe status").select_option("resolved")
    portal.get_by_role("button", name="Opslaan").click()
    expect(
        portal.get_by_text("Zeg wat er gedaan is voordat je de melding afsluit.")
    ).to_be_visible()
    portal.get_by_label("Nieuwe status").select_option("resolved")
    portal.get_by_label("Notitie").fill("Opgehaald door de reiniging.")
    portal.get_by_role("button", name="Opslaan").click()
    expect(portal.get_by_text("De melding is bijgewerkt.")).to_be_visible()
    shot(portal, "35-portal-signal-resolved")

    phone.goto(f"{base}/team/{world.client.slug}/")
    bulky = phone.locator("div.border-bottom", has_text="Grofvuil")
    expect(bulky.get_by_text("Opgelost")).to_be_visible()
    shot(phone, "36-phone-signal-resolved")
    assert Signal.objects.get(description__startswith="Bank").status == "resolved"
    desk.close()
    context.close()


def test_tap_on_the_map_gives_the_position(
    live_server, browser, playwright, world, team, settings, shot, unscoped
):
    """With a connection, a tap on the map sets the signal's position. The tiles here are a
    local image: tests never reach an outside tile server."""
    settings.MAP_TILE_URL = "/static/img/icon-192.png?z={z}&x={x}&y={y}"
    programme, member, _categories = team
    device = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    context = browser.new_context(**device, locale="nl-NL")
    phone = context.new_page()
    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_label("E-mailadres").fill(member.email)
    phone.get_by_label("Wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen").click()
    phone.get_by_role("link", name="Ronde starten").click()
    phone.get_by_role("button", name="Ronde starten").click()
    phone.get_by_role("button", name="Iets melden").click()
    map_box = phone.get_by_role("application", name="Kaart: tik aan waar het is")
    expect(map_box).to_be_visible()
    map_box.click(position={"x": 120, "y": 80})
    expect(phone.get_by_text("Locatie: het punt dat je op de kaart aantikte")).to_be_visible()
    phone.get_by_role("button", name="Verlichting").click()
    phone.get_by_label("Korte beschrijving").fill("Lamp kapot")
    shot(phone, "37-phone-map-tap")
    with phone.expect_response(
        lambda r: "/api/signals/" in r.url and r.request.method == "POST"
    ) as sent:
        phone.get_by_role("button", name="Opslaan", exact=True).click()
    assert sent.value.status == 201
    expect(phone.get_by_text("Melding bewaard.")).to_be_visible()
    signal = Signal.objects.get(description="Lamp kapot")
    assert signal.latitude is not None and signal.street == ""
    context.close()


def test_round_screen_offers_an_open_signal_close_by_as_the_same(
    live_server, browser, world, team, unscoped, tmp_path
):
    """The round screen lists the open signals of the area; a new signal of the same category
    close by is offered as "same as this one", which records a confirmation, not a signal."""
    import uuid

    from django.utils import timezone

    from patrols import services as patrols
    from patrols.models import SignalConfirmation

    programme, member, categories = team
    lights = next(c for c in categories if c.name == "Verlichting")
    here = {"latitude": 52.370216, "longitude": 4.895168}
    open_one, _ = patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=lights,
        description="Lantaarnpaal knippert",
        reported_at=timezone.now(),
        latitude=here["latitude"] + 0.0001,  # about 11 metres north
        longitude=here["longitude"],
        street="Damstraat",
        house_number="3",
    )
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        geolocation=here,
        permissions=["geolocation"],
    )
    phone = context.new_page()
    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_label("E-mailadres").fill(member.email)
    phone.get_by_label("Wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen").click()
    phone.get_by_role("link", name="Ronde starten").click()
    phone.get_by_role("button", name="Ronde starten").click()
    nearby = phone.get_by_role("region", name="Open meldingen in de buurt")
    expect(nearby).to_be_visible()
    expect(nearby.get_by_text("Verlichting")).to_be_visible()
    expect(nearby.get_by_text("Damstraat 3")).to_be_visible()
    phone.screenshot(path="/tmp/h10-round-open-signals.png", full_page=True)

    phone.get_by_role("button", name="Iets melden").click()
    expect(phone.get_by_text("Locatie: automatisch bepaald")).to_be_visible()
    phone.get_by_role("button", name="Verlichting").click()
    same = phone.get_by_role("button", name="Dit is dezelfde als deze")
    expect(same).to_be_visible()
    expect(phone.locator("[data-same-text]")).to_have_text(
        re.compile(r"^Verlichting · Damstraat 3 · .* · ± 11 m verderop$")
    )
    phone.get_by_label("Korte beschrijving").fill("Knippert nog steeds")
    phone.screenshot(path="/tmp/h10-round-same-offer.png")
    with phone.expect_response(
        lambda r: "/api/confirmations/" in r.url and r.request.method == "POST"
    ) as sent:
        same.click()
    assert sent.value.status == 201
    expect(phone.get_by_text("Dank je: de melding is bevestigd.")).to_be_visible()
    expect(nearby.get_by_text(re.compile("1× bevestigd"))).to_be_visible()
    phone.screenshot(path="/tmp/h10-round-confirmed.png", full_page=True)
    (confirmation,) = SignalConfirmation.objects.all()
    assert confirmation.signal == open_one and confirmation.note == "Knippert nog steeds"
    assert confirmation.round is not None
    assert Signal.objects.count() == 1  # no second signal

    # Another category at the same place is a new signal: nothing is offered.
    phone.get_by_role("button", name="Iets melden").click()
    phone.get_by_role("button", name=re.compile(r"^Lekkage of schade")).click()
    expect(phone.get_by_role("button", name="Dit is dezelfde als deze")).to_be_hidden()
    context.close()

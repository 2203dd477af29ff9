"""A team member on a phone: a signal in at most four taps (a photo in two more), then, after
the client resolved it, the member reads the status and the client's note in "My signals"."""

import re

import pytest
from playwright.sync_api import expect

from patrols import services as patrols
from patrols.models import Round, Signal, SignalPhoto
from programmes.permissions import Role

from ..factories import PASSWORD
from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

HERE = {"latitude": 52.090701, "longitude": 5.121403}


def _view(page, name):
    """A screenshot of what the phone's screen shows, without scrolling."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _photo(tmp_path):
    from PIL import Image

    path = tmp_path / "matras.jpg"
    Image.new("RGB", (1200, 900), "#7a5c3a").save(path, format="JPEG")
    return path


def _fits(page, locator):
    """The element is entirely inside the viewport: seen without scrolling."""
    box = locator.bounding_box()
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def _cut_off_labels(page):
    """The category tiles that hide part of their label (text must wrap inside the tile)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.category-tile'))
            .filter(t => t.offsetParent !== null)
            .filter(t => t.scrollWidth > t.clientWidth + 1 || t.scrollHeight > t.clientHeight + 1
                || Array.from(t.querySelectorAll('span')).some(s => s.scrollWidth > s.clientWidth + 1))
            .map(t => [t.textContent, t.scrollWidth, t.clientWidth, t.scrollHeight, t.clientHeight])"""
    )


def test_signal_in_four_taps_and_the_clients_note(
    live_server, phone, world, team, shot, tmp_path, unscoped
):
    programme, member, _categories = team
    base = live_server.url
    phone.context.grant_permissions(["geolocation"], origin=base)
    phone.context.set_geolocation(HERE)

    phone.goto(base + "/accounts/login/")
    phone.get_by_label("E-mailadres").fill(member.email)
    phone.get_by_label("Wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen").click()
    expect(phone.get_by_role("link", name="Ronde starten")).to_be_visible()
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.get_by_role("link", name="Ronde starten").click()
    phone.get_by_role("button", name="Ronde starten").click()
    expect(phone.get_by_text("Ronde bezig sinds")).to_be_visible()

    taps = []

    def tap(locator, what):
        locator.click()
        taps.append(what)

    # From the round screen to a saved signal: what, which kind, save.
    tap(phone.get_by_role("button", name="Iets melden"), "open the form")
    expect(phone.get_by_text("Locatie: automatisch bepaald")).to_be_visible()
    save = phone.get_by_role("button", name="Opslaan", exact=True)
    _view(phone, "ps-01-categories")
    assert _fits(phone, save), "the save button is in view without scrolling"
    assert not _cut_off_labels(phone), _cut_off_labels(phone)
    tap(phone.get_by_role("button", name=re.compile(r"^Zwerfvuil en grofvuil")), "main category")
    assert not _cut_off_labels(phone), _cut_off_labels(phone)
    _view(phone, "ps-02-subcategories")
    tap(phone.get_by_role("button", name="Grofvuil", exact=True), "sub-category")
    expect(phone.get_by_text("Zwerfvuil en grofvuil › Grofvuil")).to_be_visible()
    signal_taps = len(taps)

    # A photo: one tap opens the camera, one takes (here: chooses) the picture.
    with phone.expect_file_chooser() as chooser:
        tap(phone.get_by_role("button", name="Foto", exact=True), "photo button")
    assert chooser.value.element.get_attribute("capture") == "environment"
    chooser.value.set_files(str(_photo(tmp_path)))
    taps.append("take the photo")
    expect(phone.get_by_role("img", name="Foto 1")).to_be_visible()
    photo_taps = len(taps) - signal_taps
    assert _fits(phone, save)
    _view(phone, "ps-03-ready-to-save")
    # The photo follows the signal as the request body itself (no form), its id in the address.
    with (
        phone.expect_response(lambda r: re.search(r"/photos/[0-9a-f-]{36}/$", r.url)) as photo,
        phone.expect_response(
            lambda r: (
                "/api/signals/" in r.url and r.request.method == "POST" and "photos" not in r.url
            )
        ) as sent,
    ):
        tap(save, "save")
    assert sent.value.status == 201
    assert photo.value.status == 201, photo.value.text()
    assert photo.value.request.headers["content-type"] == "image/jpeg"
    signal_taps += 1
    expect(phone.get_by_text("Melding bewaard.")).to_be_visible()
    assert signal_taps <= 4, taps
    assert photo_taps <= 2, taps
    expect(phone.get_by_role("link", name="Mijn meldingen")).to_be_visible()  # after saving
    _view(phone, "ps-04-saved")

    # A main category without sub-categories is chosen in one tap: three taps in all.
    before = len(taps)
    tap(phone.get_by_role("button", name="Iets melden"), "open the form")
    tap(phone.get_by_role("button", name="Verlichting"), "main category")
    with phone.expect_response(
        lambda r: "/api/signals/" in r.url and r.request.method == "POST"
    ) as sent:
        tap(phone.get_by_role("button", name="Opslaan", exact=True), "save")
    assert sent.value.status == 201
    assert len(taps) - before == 3

    expect(phone.locator("[data-outbox-banner]").first).to_be_hidden(timeout=20000)
    phone.get_by_role("button", name="Ronde afsluiten").click()  # opens the end form
    with phone.expect_response(lambda r: r.url.endswith("/end/")) as ended:
        phone.get_by_role("button", name="Ronde afsluiten").click()
    assert ended.value.status in (200, 201), ended.value.text()
    expect(phone.get_by_text("Ronde afgesloten. Dank je wel!")).to_be_visible()

    bulky = Signal.objects.get(category__name="Grofvuil")
    assert bulky.description == "" and bulky.street == ""
    assert float(bulky.latitude) == pytest.approx(HERE["latitude"], abs=1e-5)
    assert float(bulky.longitude) == pytest.approx(HERE["longitude"], abs=1e-5)
    assert SignalPhoto.objects.filter(signal=bulky).count() == 1
    assert Signal.objects.filter(round__isnull=False).count() == 2
    assert Round.objects.get().ended_at is not None

    # The client resolves it with a note.
    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF],
        signal=bulky,
        status="resolved",
        text="Opgehaald door de reiniging, dank je wel!",
    )

    # The member finds it under "My signals".
    phone.get_by_role("link", name="Terug naar mijn team").click()
    phone.get_by_role("link", name="Al mijn meldingen").click()
    card = phone.get_by_role("link", name=re.compile("Grofvuil"))
    expect(card).to_contain_text("Opgelost")
    # Changed since the member last looked: marked until they open it.
    expect(card.locator("[data-changed]")).to_have_text("gewijzigd")
    _view(phone, "ps-05-my-signals")
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.screenshot(path="/tmp/h10-my-signals.png", full_page=True)
    card.click()
    expect(phone.get_by_role("heading", name="Zwerfvuil en grofvuil › Grofvuil")).to_be_visible()
    expect(phone.locator("main .badge").first).to_have_text("Opgelost")
    expect(phone.locator("[data-client-note]")).to_have_text(
        "Opgehaald door de reiniging, dank je wel!"
    )
    history = phone.locator("[data-history] li")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Nieuw")
    expect(history.nth(1)).to_contain_text("Opgelost")
    expect(phone.get_by_role("img", name="Foto 1 bij de melding")).to_be_visible()
    expect(phone.get_by_text("Positie: 52.090701, 5.121403")).to_be_visible()
    shot(phone, "ps-06-my-signal")
    phone.screenshot(path="/tmp/h10-my-signal.png", full_page=True)
    phone.go_back()
    phone.reload()
    expect(
        phone.get_by_role("link", name=re.compile("Grofvuil")).locator("[data-changed]")
    ).to_have_count(0)
    card.click()

    # Without a connection: the page seen before comes from the phone, marked as not fresh;
    # a page never opened says that it needs a connection.
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("[data-client-note]")).to_be_visible()
    expect(phone.locator("[data-stale-notice]")).to_be_visible()
    phone.get_by_role("link", name="Al mijn meldingen").click()
    expect(phone.get_by_role("heading", name="Mijn meldingen")).to_be_visible()
    expect(phone.locator("[data-stale-notice]")).to_be_visible()
    phone.get_by_role("link", name=re.compile("Verlichting")).click()
    expect(phone.locator("[data-offline-notice]")).to_be_visible()
    shot(phone, "ps-07-offline")
    phone.context.set_offline(False)

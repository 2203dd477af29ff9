"""One record the server will never take does not block the phone's outbox: while a member
walks without a connection, the project leader switches off a category. On reconnecting, the
signal of that category is set aside and shown with the reason (the member's text kept, to
copy or to remove), and the signal of the other category arrives."""

import re

import pytest
from playwright.sync_api import expect

from patrols import services as patrols
from patrols.models import Round, Signal, SignalCategory, SignalPhoto
from programmes.permissions import Role

from .helpers import QUEUE_JS, login

pytestmark = pytest.mark.browser

REASON = "De categorie van deze melding wordt niet meer gebruikt door je team."


def test_refused_signal_is_set_aside_and_the_next_one_arrives(
    live_server, browser, playwright, world, team, shot, unscoped
):
    programme, member, _categories = team
    device = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    context = browser.new_context(**device, locale="nl-NL", timezone_id="Europe/Amsterdam")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    phone = context.new_page()
    login(phone, live_server.url, member)
    expect(phone.get_by_role("link", name="Ronde starten")).to_be_visible()
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    phone.get_by_role("link", name="Ronde starten").click()
    expect(phone.get_by_role("button", name="Ronde starten")).to_be_visible()

    context.set_offline(True)
    phone.get_by_role("button", name="Ronde starten").click()
    phone.get_by_role("button", name="Iets melden").click()
    phone.get_by_role("button", name="Verlichting").click()
    phone.get_by_label("Korte beschrijving").fill("Lantaarnpaal bij de speeltuin is kapot")
    phone.get_by_role("button", name="Opslaan", exact=True).click()
    expect(phone.get_by_text("Melding bewaard.")).to_be_visible()
    phone.get_by_role("button", name="Iets melden").click()
    phone.get_by_role("button", name=re.compile(r"^Zwerfvuil en grofvuil")).click()
    phone.get_by_role("button", name="Grofvuil", exact=True).click()
    phone.get_by_label("Korte beschrijving").fill("Bank naast de container")
    phone.get_by_role("button", name="Opslaan", exact=True).click()
    expect(phone.locator("[data-outbox-count]").first).to_have_text("3")  # round + 2 signals

    # Meanwhile the project leader switches off the lighting category.
    lighting = SignalCategory.objects.get(programme=programme, name="Verlichting")
    patrols.category_save(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        category=lighting,
        is_active=False,
    )

    context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator("[data-outbox-banner]").first).to_be_hidden(timeout=20000)
    aside = phone.locator("[data-outbox-aside]")
    expect(aside).to_be_visible()
    expect(aside.get_by_role("heading", name="Niet verstuurd")).to_be_visible()
    expect(aside.get_by_text("Melding: Verlichting")).to_be_visible()
    expect(aside.get_by_text("Lantaarnpaal bij de speeltuin is kapot")).to_be_visible()
    expect(aside.get_by_text(REASON)).to_be_visible()
    expect(aside.locator("li")).to_have_count(1)
    assert "{" not in aside.inner_text()  # words, no JSON
    shot(phone, "phone-outbox-set-aside")

    # The other signal arrived, in its round; the refused one did not.
    assert Round.objects.filter(programme=programme).count() == 1
    assert list(Signal.objects.values_list("description", flat=True)) == ["Bank naast de container"]
    assert Signal.objects.get().round is not None

    # Set aside, not lost: after a reload it is still there, and it is not sent again.
    phone.reload()
    expect(phone.locator("[data-outbox-aside]").get_by_text(REASON)).to_be_visible()
    phone.evaluate("window.BewonersTeamOutbox.flush()")
    assert Signal.objects.count() == 1
    assert phone.evaluate("window.BewonersTeamOutbox.waiting().then(w => w.length)") == 0

    # The member copies the text to note it again, then removes it.
    aside = phone.locator("[data-outbox-aside]")
    aside.get_by_role("button", name="Tekst kopiëren").click()
    expect(aside.get_by_role("button", name="Gekopieerd")).to_be_visible()
    assert "Lantaarnpaal" in phone.evaluate("navigator.clipboard.readText()")
    phone.once("dialog", lambda dialog: dialog.accept())
    aside.get_by_role("button", name="Verwijderen").click()
    expect(aside).to_be_hidden()
    assert phone.evaluate("window.BewonersTeamOutbox.all().then(a => a.length)") == 0
    context.close()


CACHED_PATHS_JS = """async () => {
  const paths = [];
  for (const key of await caches.keys()) {
    const cache = await caches.open(key);
    for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
  }
  return paths;
}"""

OUTBOX_JS = """() => new Promise((resolve) => {
  const open = indexedDB.open("bewonersteam");
  open.onsuccess = () => {
    const all = open.result.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => { open.result.close(); resolve(all.result.length); };
  };
})"""


def test_logout_clears_cached_pages_and_warns_about_unsent_records(
    live_server, phone, world, team, shot, unscoped
):
    programme, member, _categories = team
    console = []
    phone.on("console", lambda message: console.append(message.text))
    login(phone, live_server.url, member)
    expect(phone.get_by_role("link", name="Ronde starten")).to_be_visible()
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    phone.get_by_role("link", name="Ronde starten").click()
    expect(phone.get_by_role("button", name="Ronde starten")).to_be_visible()
    # The browser knows every feature the Permissions-Policy names.
    assert not [m for m in console if "Permissions-Policy" in m], console
    home = f"/team/{world.client.slug}/"
    cached = phone.evaluate(CACHED_PATHS_JS)
    assert home in cached and home + "round/" in cached  # the app works offline
    assert any(p.startswith("/static/") for p in cached)

    # A record the server cannot take now (it answers with no verdict): it keeps waiting.
    phone.evaluate(
        """(url) => new Promise((resolve) => {
          const open = indexedDB.open("bewonersteam", 1);
          open.onsuccess = () => {
            const t = open.result.transaction("outbox", "readwrite");
            t.objectStore("outbox").add({id: "x1", url: url, body: {note: "Wacht nog"}});
            t.oncomplete = () => resolve(true);
          };
        })""",
        "/team/sw.js",
    )
    phone.evaluate("window.BewonersTeamOutbox.flush()")
    expect(phone.locator("[data-outbox-count]").first).to_have_text("1")

    phone.locator(".navbar-toggler").click()
    messages = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    phone.once("dialog", dismiss)
    # The question comes once the outbox was read (asynchronously): wait for it.
    with phone.expect_event("dialog"):
        phone.get_by_role("button", name="Uitloggen").click()
    expect(phone.locator("[data-outbox-count]").first).to_have_text("1")
    assert messages and "nog niet alles" in messages[0].lower()
    assert home in phone.evaluate(CACHED_PATHS_JS)  # nothing cleared: still logged in

    phone.once("dialog", lambda dialog: dialog.accept())
    with phone.expect_response(lambda r: r.request.method == "POST") as logout:
        phone.get_by_role("button", name="Uitloggen").click()
    assert logout.value.all_headers().get("clear-site-data") == '"cache"'
    expect(phone.get_by_label("E-mailadres")).to_be_visible()
    cached = phone.evaluate(CACHED_PATHS_JS)
    assert not [p for p in cached if p.startswith("/team/")], cached
    assert any(p.startswith("/static/") for p in cached)  # the assets stay
    assert phone.evaluate(OUTBOX_JS) == 1  # the unsent record is kept for the next login
    shot(phone, "phone-logged-out")


def test_logged_out_phone_keeps_its_records(live_server, phone, world, team, unscoped):
    # The API sends someone without a session to the login page, which answers 200: that is
    # no receipt, the record stays.
    programme, member, categories = team
    login(phone, live_server.url, member)
    expect(phone.get_by_role("link", name="Ronde starten")).to_be_visible()
    phone.context.clear_cookies()
    phone.evaluate(
        QUEUE_JS,
        {
            "id": "5f0c3d4e-0000-4000-8000-000000000001",
            "url": f"/team/{world.client.slug}/api/signals/",
            "body": {
                "id": "5f0c3d4e-0000-4000-8000-000000000001",
                "programme": programme.pk,
                "category": categories[0].pk,
                "description": "Wacht op inloggen",
                "reported_at": "2026-09-08T10:00:00+02:00",
            },
        },
    )
    phone.evaluate("window.BewonersTeamOutbox.flush()")
    expect(phone.get_by_text("Log opnieuw in om te versturen wat wacht.")).to_be_visible()
    expect(phone.locator("[data-outbox-count]").first).to_have_text("1")
    assert phone.evaluate("window.BewonersTeamOutbox.waiting().then(w => w.length)") == 1
    expect(phone.locator("[data-outbox-aside]")).to_be_hidden()


def test_a_photo_queued_by_an_older_page_goes_out_as_the_body(
    live_server, phone, world, team, unscoped
):
    # An older page of the app queued the photo as it always did (the signal's photo address,
    # the id, the picture); this page sends that record as the request body, no form.
    from tests.builders import report_signal  # noqa: PLC0415 - the browser tests' own helpers first

    programme, member, categories = team
    signal = report_signal(team, description="Met foto")
    login(phone, live_server.url, member)
    expect(phone.get_by_role("link", name="Ronde starten")).to_be_visible()
    photo_id = "5f0c3d4e-0000-4000-8000-0000000000f1"
    with phone.expect_response(lambda r: r.url.endswith(f"/photos/{photo_id}/")) as sent:
        phone.evaluate(
            QUEUE_JS,
            {
                "id": photo_id,
                "url": f"/team/{world.client.slug}/api/signals/{signal.uuid}/photos/",
                "photo": "jpeg",
            },
        )
        phone.evaluate("window.BewonersTeamOutbox.flush()")
    assert sent.value.status == 201, sent.value.text()
    assert sent.value.request.headers["content-type"] == "image/jpeg"
    expect(phone.locator("[data-outbox-banner]").first).to_be_hidden()
    photo = SignalPhoto.objects.get(uuid=photo_id)
    assert photo.signal_id == signal.pk  # stored (and processed when tasks run in-process)
    assert photo.status in (SignalPhoto.Status.PROCESSING, SignalPhoto.Status.READY)
    assert phone.evaluate("window.BewonersTeamOutbox.waiting().then(w => w.length)") == 0

"""Client staff connect their own system (a signed webhook, played by a real HTTP server on
loopback), route the team's signals to it, see the hand-off on the signal, and the system's
answer ("resolved", with a note) moves the signal in the portal."""

import json
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from patrols.handoff import secrets
from patrols.models_handoff import Handoff, HandoffChannel
from programmes.permissions import Role

from ..builders import report_signal
from ..patrols.handoff_receiver import Receiver
from .helpers import login as _login

pytestmark = pytest.mark.browser


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def test_client_connects_its_system_and_gets_the_answer_back(
    live_server, browser, world, team, settings, receiver, shot, axe, unscoped
):
    settings.HANDOFF_ALLOW_LOCAL_TARGETS = True
    programme, _member, _categories = team
    staff = world.users[Role.CLIENT_STAFF]
    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    page = desk.new_page()
    _login(page, live_server.url, staff)
    page.get_by_role("link", name="Je eigen systemen").click()
    expect(page.get_by_role("heading", name="Je eigen systemen", level=1)).to_be_visible()

    page.get_by_label("Soort").select_option(label="Ondertekende webhook")
    page.get_by_label("Naam").fill("Zaaksysteem")
    page.get_by_label("Adres").fill(receiver.url)
    page.get_by_role("button", name="Koppel").click()
    expect(page.get_by_text("Kopieer dit geheim nu")).to_be_visible()
    secret = page.locator("[data-secret]").inner_text().strip()
    channel = HandoffChannel.objects.get(name="Zaaksysteem")
    assert secrets.decrypt(channel.secret_encrypted) == secret
    shot(page, "handoff-01-channel-connected")
    axe(page, "handoff-settings")

    page.locator("#id_channel").select_option(label="Zaaksysteem")
    page.locator("#id_programme").select_option(label=programme.name)
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_text("De doorsturing is toegevoegd.")).to_be_visible()
    expect(page.get_by_text("Kopieer dit geheim nu")).to_have_count(0)
    shot(page, "handoff-02-route")

    signal = report_signal(team, description="Lantaarnpaal kapot", street="Lindelaan")
    (got,) = receiver.received
    assert json.loads(got.body)["reference"] == f"BT-{signal.pk}"
    assert Handoff.objects.get(signal=signal).state == Handoff.State.DELIVERED

    page.goto(f"{live_server.url}/portal/{world.client.slug}/signals/{signal.pk}/")
    log = page.locator("[data-handoff]")
    expect(log).to_contain_text("Zaaksysteem")
    expect(log).to_contain_text("bezorgd")
    expect(log).to_contain_text("ZAAK-77")
    shot(page, "handoff-03-signal-delivered")
    axe(page, "handoff-signal")

    # The client's system resolves it and says so, signed with the channel's secret.
    body = json.dumps(
        {"reference": f"BT-{signal.pk}", "status": "resolved", "note": "Lamp vervangen"}
    ).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        f"{live_server.url}/api/handoff/{world.client.slug}/{channel.pk}/status/",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-BewonersTeam-Timestamp": timestamp,
            "X-BewonersTeam-Signature": secrets.sign(secret, timestamp, body),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the test's own server
        assert json.loads(answer.read()) == {"signal": signal.pk, "status": "resolved"}
    page.reload()
    expect(page.get_by_text("Lamp vervangen")).to_be_visible()
    expect(page.locator("dd").first).to_contain_text("Opgelost")
    shot(page, "handoff-04-resolved-from-their-system")
    desk.close()

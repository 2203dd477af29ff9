"""A resident applies twice; the project leader sees the duplicate, merges it and invites all
applicants to the information meeting (one invitation each, a second click invites nobody);
the client declines a candidate, confirms, and undoes it before the mail leaves."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from programmes import services as base
from programmes.models import Invitee, OutboxMessage
from programmes.permissions import Role
from recruitment import services
from recruitment.models import Application
from recruitment.workflow import Stage

from .helpers import login as _login

pytestmark = pytest.mark.browser


def _apply(phone, url, email, motivation):
    phone.goto(url)
    phone.get_by_label("Naam").fill("Fatma Yilmaz")
    phone.get_by_label("E-mailadres").fill(email)
    phone.get_by_label("Straat").fill("Lindelaan")
    phone.get_by_label("Huisnummer").fill("7")
    phone.get_by_label("Postcode").fill("3031 AB")
    phone.get_by_label("Waarom wil je meedoen?").fill(motivation)
    phone.get_by_label("Ik geef toestemming").check()
    phone.get_by_role("button", name="Mijn aanmelding versturen").click()
    expect(phone.get_by_role("heading", name="Dank je wel voor je aanmelding!")).to_be_visible()


def test_duplicate_merged_invited_once_and_a_decision_undone(
    live_server, browser, phone, world, team, shot, settings, unscoped
):
    settings.SITE_URL = live_server.url
    programme = team[0]
    pl = world.users[Role.PROJECT_LEADER]
    programme.postcode_areas = "3031"
    programme.save(update_fields=["postcode_areas"])
    services.campaign_save(actor=None, programme=programme, is_open=True)
    start = timezone.now() + dt.timedelta(days=10)
    meeting = base.meeting_create(
        actor=pl,
        programme=programme,
        kind="information",
        title="Informatieavond Noord",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Buurthuis De Linde",
        capacity=40,
    )
    services.application_submit(
        programme=programme,
        consent="ja",
        name="Piet Bakker",
        email="piet@example.org",
        street="Dorpsstraat",
        house_number="3",
        postcode="3031 AC",
        motivation="Ik ken iedereen in de straat.",
    )

    # The resident applies twice on the phone, the second time with capitals in the address.
    apply_url = f"{live_server.url}/apply/{world.client.slug}/{programme.pk}/"
    _apply(phone, apply_url, "fatma@example.org", "Ik woon hier al twintig jaar.")
    _apply(phone, apply_url, "Fatma@Example.ORG", "Ik wil ook helpen bij de speeltuin.")

    # The project leader sees the duplicate on the selection page and merges it.
    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    page = desk.new_page()
    _login(page, live_server.url, pl, totp=True)
    page.get_by_role("link", name="Team Noord").first.click()
    page.get_by_role("link", name="Werving").click()
    expect(page.get_by_text("Mogelijk dubbel")).to_have_count(2)
    expect(page.get_by_text("Zelfde e-mailadres als Fatma Yilmaz").first).to_be_visible()
    page.get_by_text("Samenvoegen met de aanmelding van Fatma Yilmaz").first.click()
    shot(page, "rc-01-duplicate-marked")
    page.get_by_role("button", name="Samenvoegen").first.click()
    expect(
        page.get_by_text("De twee aanmeldingen van Fatma Yilmaz zijn samengevoegd tot één.")
    ).to_be_visible()
    expect(page.get_by_text("Mogelijk dubbel")).to_have_count(0)
    expect(page.get_by_text("speeltuin")).to_be_visible()  # the second motivation came along

    # Invite everyone: one invitation per person; a second click invites nobody twice.
    page.get_by_label("Nodig iedereen die zich aanmeldde uit voor").select_option(str(meeting.pk))
    page.get_by_role("button", name="Uitnodigingen versturen").click()
    expect(page.get_by_text("2 aanmelders zijn uitgenodigd.")).to_be_visible()
    page.get_by_role("button", name="Uitnodigingen versturen").click()
    expect(
        page.get_by_text(
            "0 aanmelders zijn uitgenodigd. Overgeslagen: 2 hadden al een uitnodiging."
        )
    ).to_be_visible()
    shot(page, "rc-02-invited")

    # Reopen the selection page: two applicants, both invited, Fatma once.
    page.get_by_role("link", name="Werving").click()
    invited = page.locator("section", has=page.locator("#stage-invited"))
    expect(invited.get_by_role("heading")).to_contain_text("(2)")
    expect(invited.get_by_text("Fatma Yilmaz", exact=True)).to_have_count(1)
    expect(invited.get_by_text("Piet Bakker", exact=True)).to_have_count(1)
    expect(page.locator("#stage-applied")).to_contain_text("(0)")
    shot(page, "rc-03-selection-after")
    assert sorted(Invitee.objects.filter(meeting=meeting).values_list("email", flat=True)) == [
        "fatma@example.org",
        "piet@example.org",
    ]
    invitations = [m for m in mail.outbox if "Informatieavond Noord" in m.body]
    assert sorted(m.to[0] for m in invitations) == [
        "Fatma Yilmaz <fatma@example.org>",
        "Piet Bakker <piet@example.org>",
    ]
    assert Application.objects.filter(merged_into__isnull=False).count() == 1

    # The client declines Piet, confirms, and undoes it while the mail is held.
    settings.DECISION_UNDO_SECONDS = 300
    piet = Application.objects.get(email="piet@example.org")
    services.application_move(actor=pl, application=piet, stage=Stage.INTERVIEW)
    services.application_move(
        actor=pl, application=piet, stage=Stage.PROPOSED, advice="Kent de buurt, weinig tijd."
    )
    portal_ctx = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    portal = portal_ctx.new_page()
    _login(portal, live_server.url, world.users[Role.CLIENT_STAFF])
    portal.get_by_role("heading", name="Team Noord").get_by_role("link").click()
    portal.get_by_role("link", name="Kandidaten voor het team").click()
    portal.get_by_label("Niet akkoord").check()
    portal.get_by_label("Reden").fill("Te weinig tijd voor de rondes.")
    portal.get_by_role("button", name="Besluit opslaan").click()
    expect(portal.get_by_role("heading", name="Bevestig je besluit")).to_be_visible()
    expect(portal.get_by_text("Je wijst Piet Bakker af voor Team Noord.")).to_be_visible()
    expect(portal.get_by_text("Piet Bakker krijgt deze e-mail:")).to_be_visible()
    shot(portal, "rc-04-confirm-decline")
    portal.get_by_role("button", name="Ja, afwijzen en versturen").click()
    expect(portal.get_by_text("Je besluit over Piet Bakker is opgeslagen.")).to_be_visible()
    expect(portal.get_by_text(re.compile("Je hebt Piet Bakker afgewezen"))).to_be_visible()
    shot(portal, "rc-05-undo-offered")
    assert OutboxMessage.objects.get(ref=services.decision_ref(piet)).status == "queued"
    portal.get_by_role("button", name="Ongedaan maken").click()
    expect(
        portal.get_by_text(re.compile("Je besluit over Piet Bakker is ongedaan gemaakt"))
    ).to_be_visible()
    expect(portal.get_by_role("heading", name="Piet Bakker")).to_be_visible()  # a candidate again
    expect(portal.get_by_role("button", name="Ongedaan maken")).to_have_count(0)
    shot(portal, "rc-06-undone")
    piet.refresh_from_db()
    assert piet.stage == Stage.PROPOSED
    assert OutboxMessage.objects.get(ref=services.decision_ref(piet)).status == "cancelled"
    assert not OutboxMessage.objects.filter(
        template="recruitment/application_not_selected", status="sent"
    ).exists()
    for ctx in (desk, portal_ctx):
        ctx.close()

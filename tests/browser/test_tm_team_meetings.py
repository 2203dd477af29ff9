"""Team meetings as a series in the browser: the project leader plans a monthly series and
invites the whole team in one action, a member answers on the phone, the leader writes the
notes with an agreement and finds it on the next meeting's list; the client reads it in the
portal."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from programmes import services
from programmes.models import Invitee, OutboxMessage
from programmes.permissions import Role
from programmes.services.membership import membership_pause

from ..factories import UserFactory
from .helpers import login as _login

pytestmark = pytest.mark.browser


def test_monthly_team_meetings_answers_notes_and_agreements(
    live_server, browser, phone, world, shot, settings, unscoped
):
    settings.SITE_URL = live_server.url
    leader, staff = world.users[Role.PROJECT_LEADER], world.users[Role.CLIENT_STAFF]
    member = world.users[Role.TEAM_MEMBER]
    programme = services.programme_create(
        actor=leader,
        client=world.client,
        project_leaders=[leader],
        client_contacts=[staff],
        name="BewonersTeam Lindehof",
        neighbourhood="Lindehof",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    services.team_member_add(actor=leader, programme=programme, user=member)
    away = UserFactory(
        email="op-vakantie@noord.example", role=Role.TEAM_MEMBER, organisation=world.client
    )
    paused = services.team_member_add(actor=leader, programme=programme, user=away)
    membership_pause(actor=leader, member=paused, until=dt.date.today() + dt.timedelta(days=30))

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = desk.new_page()
    _login(page, live_server.url, leader, totp=True)
    page.get_by_role("link", name="BewonersTeam Lindehof").first.click()
    page.get_by_role("link", name="Nieuwe overlegreeks").click()
    expect(page.get_by_label("Titel")).to_have_value("Teamoverleg")
    page.get_by_label("Maandelijks, op een weekdag van de maand").check()
    page.get_by_role("combobox", name="Welke van de maand").select_option(label="eerste")
    page.get_by_role("combobox", name="Weekdag").select_option(label="Dinsdag")
    page.get_by_label("Begint om").fill("19:30")
    page.get_by_label("Plaats").fill("Buurthuis De Linde")
    shot(page, "tm-meetings-01-series-form")
    page.get_by_role("button", name="Plan de reeks").click()
    expect(page.get_by_text("De reeks is gepland met")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Teamoverleg", level=2)).to_be_visible()
    expect(page.get_by_text("Elke eerste dinsdag van de maand")).to_be_visible()
    # The paused member is left out: the member and the client's contact.
    expect(page.get_by_text("2 personen", exact=False)).to_be_visible()
    page.get_by_role("button", name="Nodig iedereen uit voor de komende overleggen").click()
    expect(page.get_by_text("2 mensen zijn uitgenodigd")).to_be_visible()
    page.reload()
    rows = page.locator("tbody tr")
    expect(rows.first.locator("td").nth(1)).to_have_text("2")
    shot(page, "tm-meetings-02-series-invited")
    assert not Invitee.objects.filter(email=away.email).exists()
    mail = OutboxMessage.objects.get(to_email=member.email)
    assert mail.files and mail.files[0]["name"].endswith(".ics")

    # The member answers on the phone.
    _login(phone, live_server.url, member)
    meetings = phone.get_by_role("region", name="Teamoverleggen")
    first = meetings.locator("[data-team-meeting]").first
    expect(first.get_by_text("Nog niet geantwoord")).to_be_visible()
    first.get_by_role("button", name="Ik kom", exact=False).first.click()
    expect(phone.get_by_text("Dank je: je komt.")).to_be_visible()
    phone.reload()
    first = phone.get_by_role("region", name="Teamoverleggen").locator("[data-team-meeting]").first
    expect(first.locator("[data-answer]")).to_have_text("Komt")
    shot(phone, "tm-meetings-03-member-answered")

    # The leader sees the answer, records attendance, the notes and an agreement.
    page.locator("tbody tr").first.get_by_role("link").click()
    invitee_row = page.locator("tr", has_text=member.name)
    expect(invitee_row.get_by_text("Komt")).to_be_visible()
    invitee_row.get_by_role("button", name="Was er").click()
    page.get_by_role("textbox", name="Agenda").fill("1. Rondes\n2. Meldingen\n3. Rondvraag")
    page.get_by_role("button", name="Agenda opslaan").click()
    expect(page.get_by_text("De agenda is opgeslagen.")).to_be_visible()
    page.get_by_text("Afspraak vastleggen").click()
    page.get_by_role("textbox", name="Wat is afgesproken").fill("Wijkagent uitnodigen")
    page.get_by_role("textbox", name="Wie").fill("Henk")
    page.get_by_label("Uiterlijk").fill("2027-03-01")
    page.get_by_role("button", name="Leg de afspraak vast").click()
    expect(page.get_by_text("De afspraak is vastgelegd.")).to_be_visible()
    page.get_by_role("textbox", name="Verslag").fill("Goede opkomst; de rondes lopen.")
    page.get_by_role("button", name="Verslag opslaan").click()
    expect(page.get_by_text("Het verslag is opgeslagen.")).to_be_visible()
    page.reload()
    expect(page.locator("[data-notes]")).to_have_text("Goede opkomst; de rondes lopen.")
    expect(page.locator("[data-agenda]")).to_contain_text("2. Meldingen")
    expect(page.locator("[data-agreement]", has_text="Wijkagent uitnodigen")).to_contain_text(
        "Henk"
    )
    expect(
        page.locator("tr", has_text=member.name).get_by_role("button", name="Was er")
    ).to_have_attribute("aria-pressed", "true")
    shot(page, "tm-meetings-04-notes-agreement")

    # The open agreement is on the next meeting's list.
    page.get_by_role("link", name="Alle overleggen van deze reeks").click()
    page.locator("tbody tr").nth(1).get_by_role("link").click()
    followed = page.get_by_role("region", name="Afspraken om na te lopen")
    carried = followed.locator("[data-agreement]", has_text="Wijkagent uitnodigen")
    expect(carried).to_contain_text("Henk")
    expect(carried).to_contain_text("Open")
    shot(page, "tm-meetings-05-next-meeting")

    # The client reads the meetings and the agreement in the portal.
    portal = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    client_page = portal.new_page()
    _login(client_page, live_server.url, staff)
    client_page.get_by_role("link", name="BewonersTeam Lindehof").first.click()
    client_page.get_by_role("link", name="Overleggen en afspraken").click()
    expect(client_page.get_by_role("heading", name="Overleggen en afspraken")).to_be_visible()
    expect(client_page.get_by_text("1. Rondes")).to_be_visible()
    client_page.get_by_role("link", name="Openstaande afspraken").click()
    expect(client_page.get_by_text("Wijkagent uitnodigen")).to_be_visible()
    shot(client_page, "tm-meetings-06-portal")
    desk.close()
    portal.close()

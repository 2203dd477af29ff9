"""A team member on the phone reads the notice board, logs an activity besides rounds and sees
its hours in their effort this month; and ends a quiet round with "nothing to report"."""

import re

import pytest
from playwright.sync_api import expect

from patrols.models import Activity, EffortRule, Round
from programmes.permissions import Role
from programmes.services.board import team_message_send

from .helpers import login

pytestmark = pytest.mark.browser


def test_member_reads_the_board_and_logs_an_activity(
    live_server, phone, world, team, shot, unscoped
):
    programme, member, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    EffortRule.objects.create(
        organisation=programme.organisation, programme=programme, min_rounds=0, min_hours=2
    )
    team_message_send(
        actor=pl,
        programme=programme,
        subject="Schoonmaakactie zaterdag",
        body="We beginnen om 10 uur bij het buurthuis.",
    )
    login(phone, live_server.url, member)
    board = phone.get_by_role("region", name="Prikbord")
    expect(board.get_by_text("Schoonmaakactie zaterdag")).to_be_visible()
    expect(board.get_by_text("nieuw")).to_be_visible()
    board.get_by_role("link", name="Prikbord").click()
    expect(phone.get_by_role("heading", name="Prikbord", level=1)).to_be_visible()
    expect(phone.get_by_text("We beginnen om 10 uur bij het buurthuis.")).to_be_visible()
    shot(phone, "tm-01-board")
    phone.get_by_role("link", name="Terug naar mijn team").click()
    expect(board.get_by_text("nieuw")).to_have_count(0)  # read now

    effort = phone.get_by_role("region", name="Mijn inzet deze maand")
    expect(effort.get_by_text("In totaal tellen 0 uur mee")).to_be_visible()
    effort.get_by_role("link", name="Activiteit vastleggen").click()
    expect(phone.get_by_role("heading", name="Mijn activiteiten")).to_be_visible()
    # Too many hours: a clear message, nothing saved, what was typed kept.
    phone.get_by_label("Buren informeren").check()
    phone.get_by_label("Uren", exact=True).fill("30")
    phone.get_by_label("Omschrijving (niet verplicht)").fill("Flyers in de Lindelaan")
    phone.get_by_role("button", name="Activiteit bewaren").click()
    expect(phone.get_by_text("Zorg ervoor dat deze waarde hoogstens 24 is.")).to_be_visible()
    expect(phone.get_by_label("Omschrijving (niet verplicht)")).to_have_value(
        "Flyers in de Lindelaan"
    )
    assert not Activity.objects.exists()
    phone.get_by_label("Uren", exact=True).fill("2.5")
    phone.get_by_role("button", name="Activiteit bewaren").click()
    expect(phone.get_by_text("Je activiteit is bewaard. Dank je wel!")).to_be_visible()
    phone.reload()
    listed = phone.locator("[data-my-activities]")
    expect(listed.get_by_text("Buren informeren")).to_be_visible()
    expect(listed.get_by_text("Flyers in de Lindelaan")).to_be_visible()
    expect(listed.get_by_text("2,5 uur", exact=True)).to_be_visible()
    mine = phone.locator("[data-my-effort]")
    expect(mine.get_by_text("Activiteiten: 2,5 uur")).to_be_visible()
    expect(mine.get_by_text("In totaal tellen 2,5 uur mee")).to_be_visible()
    expect(phone.get_by_text("Gehaald.")).to_be_visible()
    shot(phone, "tm-02-activity-logged")
    phone.get_by_role("link", name="Terug naar mijn team").click()
    expect(phone.locator("[data-my-effort]").get_by_text("Activiteiten: 2,5 uur")).to_be_visible()
    shot(phone, "tm-03-home-effort")
    (activity,) = Activity.objects.all()
    assert (activity.user, activity.kind, str(activity.hours)) == (member, "informing", "2.50")


def test_member_ends_a_quiet_round_with_nothing_to_report(
    live_server, phone, world, team, shot, unscoped
):
    programme, member, _ = team
    login(phone, live_server.url, member)
    phone.get_by_role("link", name="Ronde starten").click()
    phone.get_by_role("button", name=re.compile("^Start de ronde|^Ronde starten")).click()
    phone.get_by_role("button", name="Ronde afsluiten").click()
    nothing = phone.get_by_label("Niets te melden: alles was in orde")
    expect(nothing).to_be_checked()  # nothing recorded on this round
    phone.get_by_label("Opmerking (niet verplicht)").fill("Rustig, hek speeltuin dicht")
    shot(phone, "tm-04-end-round")
    with phone.expect_response(lambda r: r.url.endswith("/end/")) as ended:
        phone.get_by_role("button", name="Ronde afsluiten").click()
    assert ended.value.status == 200, ended.value.text()
    expect(phone.get_by_text("Ronde afgesloten. Dank je wel!")).to_be_visible()
    (round_,) = Round.objects.all()
    assert (round_.outcome, round_.remark) == ("nothing", "Rustig, hek speeltuin dicht")
    assert round_.ended_at is not None


def test_project_leader_writes_to_the_board_and_sees_activity_hours(
    live_server, browser, world, team, shot, unscoped
):
    """From the programme's tabs: a message to one chosen member (on the board, mailed to that
    member only), and the member's activity hours in the effort overview."""
    import datetime as dt

    from django.utils import timezone

    from patrols import services as patrols
    from programmes.models import OutboxMessage

    programme, member, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    patrols.activity_log(
        actor=member,
        programme=programme,
        kind="partner",
        hours="1.75",
        date=timezone.localdate() - dt.timedelta(days=timezone.localdate().day - 1),
    )
    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    page = desk.new_page()
    login(page, live_server.url, pl, totp=True)
    page.get_by_role("link", name=programme.name).first.click()
    page.get_by_role("link", name="Prikbord").click()
    page.get_by_label("Onderwerp").fill("Sleutel buurthuis")
    page.get_by_role("textbox", name=re.compile("^Bericht")).fill(
        "Kun jij donderdag de sleutel ophalen?"
    )
    page.get_by_role("radio", name="Gekozen leden").check()
    page.get_by_role("checkbox", name=member.name).check()
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_text("wordt naar 1 lid gemaild")).to_be_visible()
    page.reload()
    sent = page.locator("[data-team-message]")
    expect(sent.get_by_text("Sleutel buurthuis")).to_be_visible()
    expect(sent.get_by_text(re.compile("Gekozen leden · 1 lid"))).to_be_visible()
    shot(page, "tm-05-board-leader")
    (mail,) = OutboxMessage.objects.filter(template="programmes/team_message")
    assert mail.to_email == member.email and mail.headers["Reply-To"].endswith(f"<{pl.email}>")

    page.get_by_role("link", name="Inzet").click()
    row = page.locator("tbody tr", has_text=member.name)
    expect(row.locator("td").nth(3)).to_have_text("1,75")  # activity hours
    shot(page, "tm-06-effort-leader")
    desk.close()

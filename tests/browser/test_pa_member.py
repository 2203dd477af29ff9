"""A team member's first hours on the phone: logging in by the link in the code mail, seeing
why rounds must wait, joining and leaving a round; and a member of two teams choosing one."""

import datetime as dt
import re
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patrols import services as patrols
from patrols.models import Signal
from programmes import services
from programmes.models import TeamMember
from programmes.permissions import Role

from ..factories import PASSWORD
from .helpers import QUEUE_JS

pytestmark = pytest.mark.browser

NOT_READY = "Je kunt nog geen rondes lopen: je hebt de workshop nog niet gehaald"


def test_member_logs_in_by_mail_link_waits_then_joins_and_leaves_a_round(
    live_server, phone, world, team, shot, mailoutbox, settings, unscoped
):
    settings.SITE_URL = live_server.url
    programme, member, categories = team
    pl = world.users[Role.PROJECT_LEADER]
    roster = TeamMember.objects.get(user=member, programme=programme)
    services.team_member_set_ready(actor=pl, member=roster, ready=False)
    patrols.round_slot_create(
        actor=pl,
        programme=programme,
        starts_at=timezone.now() + dt.timedelta(days=2),
        meeting_point="Buurthuis De Linde",
        area="Lindelaan",
    )

    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_role("link", name="Stuur mij een inlogcode").click()
    phone.locator("input[name=email]").fill(member.email)
    phone.locator("main form button[type=submit]").first.click()
    expect(phone.locator("input[name=code]")).to_be_visible()
    (mail,) = mailoutbox
    link = re.search(r"(http\S+/accounts/login/code/confirm/\?code=\S+)", mail.body).group(1)
    assert link.startswith(live_server.url)
    # The member taps the link in the mail, on the same phone: logged in at once.
    phone.goto(link)
    expect(phone.get_by_text(NOT_READY)).to_be_visible()
    expect(phone.get_by_role("link", name="Ronde starten")).to_have_count(0)
    expect(phone.get_by_role("button", name=re.compile("^Ik doe mee"))).to_have_count(0)
    expect(phone.get_by_role("link", name="Naar de spelregels en mijn training")).to_be_visible()
    shot(phone, "pa-01-home-not-ready")

    # A signal left in the phone's outbox (made before readiness was withdrawn, say) is
    # refused with the reason (the page shows it already, and that the record waits); it stays
    # queued.
    signal_id = str(uuid.uuid4())
    queued = {
        "id": signal_id,
        "url": f"/team/{world.client.slug}/api/signals/",
        "body": {
            "id": signal_id,
            "programme": programme.pk,
            "category": categories[0].pk,
            "description": "Matras bij de container",
            "street": "Lindelaan",
            "reported_at": timezone.now().isoformat(),
        },
    }
    phone.evaluate(QUEUE_JS, queued)
    phone.evaluate("window.BewonersTeamOutbox.flush()")
    expect(phone.get_by_text("Wat op je telefoon wacht, wordt verstuurd zodra")).to_be_visible()
    expect(phone.locator("[data-outbox-count]").first).to_have_text("1")
    shot(phone, "pa-01b-outbox-refused")

    # The round screen remembered from before (a bookmark, the installed app) refuses too.
    home = phone.url
    phone.goto(home + "round/")
    expect(phone.get_by_text(NOT_READY)).to_be_visible()
    expect(phone.get_by_role("button", name="Ronde starten")).to_have_count(0)
    shot(phone, "pa-02-round-refused")
    phone.get_by_role("link", name="Terug naar mijn team").click()

    # The project leader lets the member walk before the workshop, with a reason.
    services.team_member_set_ready(
        actor=pl, member=roster, ready=True, reason="Loopt al jaren mee met de wijkagent"
    )
    phone.reload()
    expect(phone.get_by_role("link", name="Ronde starten")).to_be_visible()
    expect(phone.locator("[data-outbox-count]").first).to_have_text("0")
    assert Signal.objects.filter(uuid=signal_id, reported_by=member).exists()
    phone.get_by_role("button", name=re.compile("^Ik doe mee")).click()
    expect(phone.get_by_text("Je doet mee: bedankt dat je deze ronde meeloopt.")).to_be_visible()
    state = phone.locator("[data-signup-state]")
    expect(state).to_have_text(re.compile("Je doet mee"))
    expect(phone.get_by_role("link", name=re.compile("^Afmelden"))).to_be_visible()
    shot(phone, "pa-03-signed-up")

    phone.get_by_role("link", name=re.compile("^Afmelden")).click()
    expect(phone.get_by_role("heading", name="Afmelden voor deze ronde?")).to_be_visible()
    expect(phone.get_by_text("Buurthuis De Linde")).to_be_visible()
    shot(phone, "pa-04-sign-off-question")
    phone.get_by_role("button", name="Ja, meld me af").click()
    expect(phone.get_by_text("Je bent afgemeld voor deze ronde.")).to_be_visible()
    expect(phone.locator("[data-signup-state]")).to_have_count(0)
    expect(phone.get_by_role("button", name=re.compile("^Ik doe mee"))).to_be_visible()
    shot(phone, "pa-05-signed-off")


def test_member_of_two_teams_chooses_one(live_server, phone, world, team, shot, unscoped):
    programme, member, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    second = services.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        name="Team Centrum",
        neighbourhood="Centrum",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    services.team_member_add(actor=pl, programme=second, user=member)

    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_label("E-mailadres").fill(member.email)
    phone.get_by_label("Wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen").click()
    expect(phone.get_by_role("heading", name="Kies je team")).to_be_visible()
    shot(phone, "pa-06-choose-team")
    phone.get_by_role("button", name=re.compile("^Team Centrum")).click()
    expect(phone.get_by_text("Team Centrum")).to_be_visible()
    # Not yet ready in the new team: the reason, no round.
    expect(phone.get_by_text(re.compile("^Je kunt nog geen rondes lopen"))).to_be_visible()
    shot(phone, "pa-07-home-second-team")
    phone.get_by_role("link", name="Ander team kiezen").click()
    phone.get_by_role("button", name=re.compile("^Team Noord")).click()
    expect(phone.get_by_role("link", name="Ronde starten")).to_be_visible()
    expect(phone.get_by_text("Team Noord")).to_be_visible()

    # The account page looks like the app, and the only address cannot be removed.
    phone.get_by_role("button", name="Menu").click()
    phone.get_by_role("link", name=member.name).click()
    expect(phone.get_by_role("heading", name="Je e-mailadres")).to_be_visible()
    expect(phone.get_by_text(member.email)).to_be_visible()
    expect(phone.get_by_role("button", name="Verwijderen")).to_have_count(0)
    shot(phone, "pa-08-account")
    phone.get_by_role("link", name="Terug naar mijn team").click()
    expect(phone.get_by_role("link", name="Ronde starten")).to_be_visible()

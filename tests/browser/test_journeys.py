"""A real user's first hours, one journey per role: each does the whole job by clicking links
from the start page (no typed addresses after logging in) and opens each page again after
every save to see that what was saved is shown."""

import contextlib
import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes.models import AuditEntry, Invitation, Organisation
from programmes.permissions import Role

from ..builders import candidate, report_signal
from .helpers import login as _login

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "nl-NL"}


def _menu(page):
    return page.get_by_role("navigation", name="Hoofdmenu")


_PAGES = []


@pytest.fixture(autouse=True)
def _snap_on_failure(request, shot):
    """Save what each open page showed when the journey failed (jr-failed-<n>.png)."""
    failed = request.session.testsfailed
    _PAGES.clear()
    yield
    if request.session.testsfailed > failed:
        for i, page in enumerate(_PAGES):
            with contextlib.suppress(Exception):  # the journey's own failure is what matters
                shot(page, f"jr-failed-{i}")
    _PAGES.clear()


def _watch(page):
    _PAGES.append(page)
    return page


def _desk(browser):
    return browser.new_context(**DESK, timezone_id="Europe/Amsterdam")


# --- Consultancy admin ------------------------------------------------------------------


def test_consultancy_admin_sets_up_a_client(live_server, browser, world, shot, axe, unscoped):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    desk = _desk(browser)
    page = _watch(desk.new_page())
    _login(page, live_server.url, admin, totp=True)
    expect(page.get_by_role("heading", name="Werkplek")).to_be_visible()
    shot(page, "jr-ad-01-workspace")

    # A new client.
    page.get_by_role("link", name="Nieuwe opdrachtgever").first.click()
    page.get_by_label("Naam").fill("Gemeente Lindeveld")
    page.get_by_label("Soort").select_option("municipality")
    page.get_by_label("Postcode").fill("1234 AB")
    page.get_by_label("Plaats").fill("Lindeveld")
    page.get_by_label("Contactpersoon").first.fill("Lotte Linde")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", name="Gemeente Lindeveld")).to_be_visible()
    lindeveld = Organisation.objects.get(name="Gemeente Lindeveld")

    # Reopen it through the client list: what was saved is shown.
    _menu(page).get_by_role("link", name="Opdrachtgevers").click()
    page.get_by_role("link", name="Gemeente Lindeveld").click()
    expect(page.get_by_role("heading", name="Gemeente Lindeveld")).to_be_visible()
    expect(page.get_by_text("Lotte Linde").first).to_be_visible()
    expect(page.get_by_text("Lindeveld").first).to_be_visible()
    shot(page, "jr-ad-02-client")

    # Invite a member of the client's staff, from the client's page.
    page.get_by_role("link", name="Iemand uitnodigen").click()
    page.get_by_label("Naam").fill("Lotte Linde")
    page.get_by_label("E-mailadres").fill("lotte@lindeveld.example")
    page.get_by_label("Rol").select_option("client_staff")
    expect(page.get_by_label("Organisatie")).to_have_value(str(lindeveld.pk))
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(
        page.get_by_text("De uitnodiging voor lotte@lindeveld.example staat klaar")
    ).to_be_visible()

    # Invite a project leader for this client, from the user list.
    _menu(page).get_by_role("link", name="Gebruikers").click()
    page.get_by_role("link", name="Iemand uitnodigen").click()
    page.get_by_label("Naam").fill("Jeroen Bakker")
    page.get_by_label("E-mailadres").fill("jeroen@noord-advies.example")
    page.get_by_label("Rol").select_option("project_leader")
    page.get_by_label("Organisatie").select_option(str(world.consultancy.pk))
    page.get_by_label("Gemeente Lindeveld").check()
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(
        page.get_by_text("De uitnodiging voor jeroen@noord-advies.example staat klaar")
    ).to_be_visible()

    # Reopen the user list: both invitations are shown, with their roles in words.
    _menu(page).get_by_role("link", name="Gebruikers").click()
    invitations = page.locator("section", has=page.get_by_role("heading", name="Openstaande"))
    for email, role in (
        ("lotte@lindeveld.example", "Medewerker opdrachtgever"),
        ("jeroen@noord-advies.example", "Projectleider"),
    ):
        row = invitations.locator("tr", has_text=email)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(role)
    expect(invitations).not_to_contain_text("client_staff")
    expect(invitations).not_to_contain_text("project_leader")
    shot(page, "jr-ad-03-users")
    axe(page, "jr-users")
    assert Invitation.objects.filter(email__endswith=".example").count() == 2
    jeroen = Invitation.objects.get(email="jeroen@noord-advies.example")
    assert list(jeroen.assigned_clients.all()) == [lindeveld]

    # The client's page lists its own open invitation too.
    _menu(page).get_by_role("link", name="Opdrachtgevers").click()
    page.get_by_role("link", name="Gemeente Lindeveld").click()
    expect(page.locator("tr", has_text="lotte@lindeveld.example")).to_contain_text(
        "Medewerker opdrachtgever"
    )

    # The audit log says what happened in Dutch words, not codes.
    _menu(page).get_by_role("link", name="Logboek").click()
    expect(page.get_by_role("heading", name="Logboek")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    codes = set(AuditEntry.objects.values_list("action", flat=True))
    assert codes, "the admin's actions are recorded"
    what = page.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert what
    for text in what:
        assert text.strip() not in codes, f"raw action code on screen: {text}"
        assert not re.fullmatch(r"[a-z_.]+", text.strip()), f"raw action code: {text}"
    expect(page.locator("tbody")).to_contain_text("Gemeente Lindeveld")
    shot(page, "jr-ad-04-audit")
    axe(page, "jr-audit")
    desk.close()


# --- Project leader (desktop) -----------------------------------------------------------


def _apply(resident, url, name, email, motivation):
    resident.goto(url)
    resident.get_by_label("Naam").fill(name)
    resident.get_by_label("E-mailadres").fill(email)
    resident.get_by_label("Straat").fill("Lindelaan")
    resident.get_by_label("Huisnummer").fill("7")
    resident.get_by_label("Postcode").fill("3031 AB")
    resident.get_by_label("Waarom wil je meedoen?").fill(motivation)
    resident.get_by_label("Ik geef toestemming").check()
    resident.get_by_role("button", name="Mijn aanmelding versturen").click()
    expect(resident.get_by_role("heading", name="Dank je wel voor je aanmelding!")).to_be_visible()


def _tab(page, name):
    """Open one of the programme's pages through its tabs."""
    page.get_by_role("link", name=name, exact=True).first.click()


def test_project_leader_runs_a_programme(
    live_server, browser, world, shot, axe, settings, unscoped
):
    from programmes import services as base
    from programmes.models import Goal, Invitee, Meeting, Partner, Programme
    from recruitment.models import Application
    from trainings.models import Assessment, TeamIntroduction, Training

    from .test_pl_intake import GOALS, _expect_intake

    settings.SITE_URL = live_server.url
    pl = world.users[Role.PROJECT_LEADER]
    desk = _desk(browser)
    page = _watch(desk.new_page())
    _login(page, live_server.url, pl, totp=True)
    expect(page.get_by_role("heading", name="Werkplek")).to_be_visible()

    # Start page → client → new programme.
    _menu(page).get_by_role("link", name="Opdrachtgevers").click()
    page.get_by_role("link", name=world.client.name).click()
    page.get_by_role("link", name="Nieuw programma", exact=True).click()
    page.get_by_label("Naam").fill("BewonersTeam Lindehof")
    page.get_by_label("Wijk of buurt").fill("Lindehof")
    page.get_by_label("Gemeente").fill("Noordstad")
    page.get_by_label("Postcodegebieden").fill("3031, 3032")
    page.get_by_label("Startdatum").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Opslaan").click()
    programme = Programme.objects.get(name="BewonersTeam Lindehof")

    # The intake: vision, two goals, two partners; saved, reopened, saved unchanged.
    from .test_pl_intake import PARTNERS

    expect(page.get_by_role("heading", name="Visie en uitgangspunten")).to_be_visible()
    page.get_by_label("Visie van de opdrachtgever").fill("Een schone wijk waar je elkaar kent.")
    for i, (description, measure) in enumerate(GOALS):
        page.locator(f"#id_goals-{i}-description").fill(description)
        page.locator(f"#id_goals-{i}-measure").fill(measure)
    for i, (name, organisation, role, email) in enumerate(PARTNERS):
        page.locator(f"#id_partners-{i}-name").fill(name)
        page.locator(f"#id_partners-{i}-partner_organisation").fill(organisation)
        page.locator(f"#id_partners-{i}-role").select_option(role)
        page.locator(f"#id_partners-{i}-email").fill(email)
    page.get_by_role("button", name="Intake opslaan").click()
    expect(page.get_by_text("De intake is opgeslagen.")).to_be_visible()
    _tab(page, "Intake")
    _expect_intake(page)
    expect(page.get_by_label("Visie van de opdrachtgever")).to_have_value(
        "Een schone wijk waar je elkaar kent."
    )
    page.get_by_role("button", name="Intake opslaan").click()
    expect(page.get_by_text("De intake is opgeslagen.")).to_be_visible()
    _tab(page, "Intake")
    _expect_intake(page)
    assert Goal.objects.filter(programme=programme).count() == 2
    assert Partner.objects.filter(programme=programme).count() == 2
    shot(page, "jr-pl-01-intake")

    # The plan from the template; completing the intake ticks its milestone.
    _tab(page, "Overzicht")
    page.get_by_role("button", name="Plan van aanpak maken op basis van het sjabloon").click()
    _tab(page, "Intake")
    page.get_by_role("button", name="Intake afronden").click()
    expect(page.get_by_text("De intake is opgeslagen en afgerond.")).to_be_visible()
    _tab(page, "Intake")
    _expect_intake(page)
    _tab(page, "Plan van aanpak")
    status = page.locator("#plan-status")
    expect(status).to_contain_text("1/")
    page.locator("tr", has_text="Plan van aanpak vastgesteld").get_by_role(
        "button", name=re.compile("afvinken")
    ).click()
    expect(status).to_contain_text("2/")
    expect(status).to_contain_text("Werving")  # the phase follows the plan
    _tab(page, "Overzicht")
    _tab(page, "Plan van aanpak")
    expect(page.locator("#plan-status")).to_contain_text("2/")
    expect(
        page.locator("tr", has_text="Plan van aanpak vastgesteld").get_by_role(
            "button", name=re.compile("openzetten")
        )
    ).to_be_visible()
    shot(page, "jr-pl-02-plan")

    # An information meeting.
    _tab(page, "Overzicht")
    page.get_by_role("link", name="Nieuwe bijeenkomst").click()
    start = timezone.localtime() + dt.timedelta(days=10)
    page.get_by_label("Soort").select_option("information")
    page.get_by_label("Titel").fill("Informatieavond Lindehof")
    page.get_by_label("Begint om").fill(start.strftime("%Y-%m-%dT19:30"))
    page.get_by_label("Eindigt om").fill(start.strftime("%Y-%m-%dT21:00"))
    page.locator("#id_location").fill("Buurthuis De Linde")
    page.get_by_label("Aantal plaatsen").fill("40")
    page.get_by_role("button", name="Opslaan").click()
    meeting = Meeting.objects.get(title="Informatieavond Lindehof")
    _tab(page, "Overzicht")
    page.get_by_role("link", name="Informatieavond Lindehof").click()
    expect(page.get_by_role("heading", name="Informatieavond Lindehof")).to_be_visible()
    expect(page.get_by_text("Buurthuis De Linde").first).to_be_visible()
    shot(page, "jr-pl-03-meeting")

    # Recruitment: open the application page, and read its address for the flyer.
    _tab(page, "Werving")
    page.get_by_role("link", name="Instellingen aanmeldpagina").click()
    page.get_by_label("de aanmeldpagina is open").check()
    page.get_by_role("button", name="Opslaan").first.click()
    _tab(page, "Overzicht")
    _tab(page, "Werving")
    page.get_by_role("link", name="Instellingen aanmeldpagina").click()
    expect(page.get_by_label("de aanmeldpagina is open")).to_be_checked()
    _tab(page, "Werving")
    apply_url = page.locator("#campaign-heading + p a").get_attribute("href")

    # Two residents apply on their phones; one of them twice.
    resident_ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    resident = _watch(resident_ctx.new_page())
    url = live_server.url + apply_url
    _apply(resident, url, "Fatma Yilmaz", "fatma@example.org", "Ik woon hier al twintig jaar.")
    _apply(resident, url, "Fatma Yilmaz", "Fatma@Example.ORG", "Ik help ook bij de speeltuin.")
    _apply(resident, url, "Piet Bakker", "piet@example.org", "Ik ken iedereen in de straat.")
    resident_ctx.close()

    # The duplicate is merged; everyone is invited to the information meeting, once each.
    _tab(page, "Overzicht")
    _tab(page, "Werving")
    expect(page.get_by_text("Mogelijk dubbel")).to_have_count(2)
    page.get_by_text("Samenvoegen met de aanmelding van Fatma Yilmaz").first.click()
    page.get_by_role("button", name="Samenvoegen").first.click()
    expect(page.get_by_text("Mogelijk dubbel")).to_have_count(0)
    page.get_by_label("Nodig iedereen die zich aanmeldde uit voor").select_option(str(meeting.pk))
    page.get_by_role("button", name="Uitnodigingen versturen").click()
    expect(page.get_by_text("2 aanmelders zijn uitgenodigd.")).to_be_visible()
    _tab(page, "Overzicht")
    _tab(page, "Werving")
    invited = page.locator("section", has=page.locator("#stage-invited"))
    expect(invited.get_by_role("heading")).to_contain_text("(2)")
    expect(invited.get_by_text("Fatma Yilmaz", exact=True)).to_have_count(1)
    expect(invited.get_by_text("Piet Bakker", exact=True)).to_have_count(1)
    expect(invited.get_by_text("speeltuin")).to_be_visible()  # the merged motivation
    shot(page, "jr-pl-04-recruitment")
    _tab(page, "Overzicht")
    page.get_by_role("link", name="Informatieavond Lindehof").click()
    invitees = page.locator("section", has=page.get_by_role("heading", name="Uitgenodigd"))
    expect(invitees.locator("tbody tr")).to_have_count(2)
    expect(invitees).to_contain_text("fatma@example.org")
    expect(invitees).to_contain_text("piet@example.org")
    assert Application.objects.filter(merged_into__isnull=True).count() == 2
    assert Invitee.objects.filter(meeting=meeting).count() == 2

    # Trainings: the track planned, a workshop pass, the rules and how to reach the team.
    member = world.users[Role.TEAM_MEMBER]
    base.team_member_add(actor=pl, programme=programme, user=member)  # through selection
    _tab(page, "Trainingen")
    first = timezone.localtime() + dt.timedelta(days=20)
    page.get_by_label("Kennismakingsbijeenkomst").fill(first.strftime("%Y-%m-%dT19:30"))
    page.get_by_label("Workshop Effectief Communiceren").fill(
        (first + dt.timedelta(days=7)).strftime("%Y-%m-%dT19:30")
    )
    page.get_by_label("Instructiebijeenkomst").fill(
        (first + dt.timedelta(days=14)).strftime("%Y-%m-%dT19:30")
    )
    page.get_by_label("Plaats").fill("Buurthuis De Linde")
    page.get_by_label("Trainer van de workshop").fill("Marieke Jansen")
    page.get_by_role("button", name="Plannen").click()
    expect(page.get_by_text("Het trainingstraject is gepland.")).to_be_visible()
    assert Training.objects.filter(programme=programme).count() == 3

    page.get_by_role("button", name=f"Gehaald {member.name}", exact=True).click()
    rules = "1. We lopen altijd met z'n tweeën.\n2. We spreken bewoners vriendelijk aan."
    page.locator("#rules-text").fill(rules)
    page.locator("#rules-text").locator("xpath=..").get_by_role("button", name="Opslaan").click()
    contact = "Bel of app 06-12345678\nteam@lindehof.example"
    page.locator("#team-contact").fill(contact)
    page.locator("#team-contact").locator("xpath=..").get_by_role("button", name="Opslaan").click()

    # Reopen the trainings page: the track, the verdict, the rules and the contact lines.
    _tab(page, "Overzicht")
    _tab(page, "Trainingen")
    expect(
        page.get_by_role("link", name=re.compile("Workshop Effectief Communiceren"))
    ).to_be_visible()
    expect(page.get_by_text("Marieke Jansen").first).to_be_visible()
    assess = page.locator("section", has=page.get_by_role("heading", name="Workshop: gehaald"))
    expect(assess.locator("form", has_text=member.name).locator(".badge")).to_have_text("gehaald")
    expect(page.locator("#rules-text")).to_have_value(rules)
    expect(page.get_by_text(re.compile("^Opgeslagen op"))).to_be_visible()
    expect(page.locator("#team-contact")).to_have_value(contact)
    page.locator("#rules-text").scroll_into_view_if_needed()
    shot(page, "jr-pl-05-trainings")
    axe(page, "jr-trainings")
    assert Assessment.objects.get(user=member).passed
    saved = TeamIntroduction.objects.get(programme=programme).contact
    assert saved.replace("\r\n", "\n") == contact

    # Rounds and effort, by their tabs.
    # Rounds: one planned; reopened, it is listed and flagged for too few walkers.
    _tab(page, "Rondes")
    round_at = timezone.localtime() + dt.timedelta(days=3)
    page.get_by_label("Datum en tijd").fill(round_at.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Verzamelpunt").fill("Bij de bakker op de hoek")
    page.get_by_label("Gebied").fill("Lindelaan en Eikstraat")
    page.get_by_role("button", name="Plannen").click()
    _tab(page, "Overzicht")
    _tab(page, "Rondes")
    planned = page.locator("section", has=page.get_by_role("heading", name="Geplande rondes"))
    row = planned.locator("tbody tr", has_text="Bij de bakker op de hoek")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Lindelaan en Eikstraat")
    expect(row).to_have_class(re.compile("table-warning"))
    expect(row.locator("[data-too-few-walkers]")).to_have_text("Minder dan 2 lopers")
    shot(page, "jr-pl-06-rounds")

    # Effort: no obligation yet, so it says so; set it, and reopened it is kept.
    _tab(page, "Inzet")
    expect(page.get_by_role("heading", name=re.compile("^Inzet in"))).to_be_visible()
    expect(page.get_by_text("Er is nog geen inspanningsverplichting ingesteld.")).to_be_visible()
    page.get_by_label("rondes per maand").fill("3")
    page.get_by_label("uren per maand").fill("4.5")
    page.get_by_label("beloning").fill("Een bioscoopbon")
    page.locator("#effort-rule").get_by_role("button", name="Opslaan").click()
    _tab(page, "Overzicht")
    _tab(page, "Inzet")
    expect(page.get_by_text("Er is nog geen inspanningsverplichting ingesteld.")).to_have_count(0)
    expect(page.get_by_label("rondes per maand")).to_have_value("3")
    expect(page.get_by_label("uren per maand")).to_have_value(re.compile(r"^4[,.]5$"))
    expect(page.get_by_label("beloning")).to_have_value("Een bioscoopbon")
    shot(page, "jr-pl-07-effort")
    desk.close()


# --- Client staff (portal) --------------------------------------------------------------


def test_client_staff_decides_and_follows_up(
    live_server, browser, world, team, shot, axe, settings, unscoped
):
    from patrols.models import Signal
    from recruitment.models import Application
    from recruitment.workflow import Stage

    from .test_po_portal import GREY_TILE

    settings.MAP_TILE_URL = GREY_TILE
    settings.DECISION_UNDO_SECONDS = 300
    programme, _member, categories = team
    main = [c for c in categories if c.parent_id is None]
    bulky = report_signal(
        team,
        main[0],
        hours_ago=3,
        description="Bank en matras naast de container",
        urgent=True,
        latitude=52.09,
        longitude=5.12,
        street="Lindelaan",
        house_number="12",
    )
    report_signal(team, main[2], hours_ago=2, description="Stoeptegel los", street="Speelpad")
    pl = world.users[Role.PROJECT_LEADER]
    fatima = candidate(
        world,
        programme,
        advice="Kent de buurt goed.",
        source="paper",
        actor=pl,
        name="Fatima el Amrani",
        email="fatima@example.org",
        street="Lindelaan",
        house_number="3",
        motivation="Ik woon hier graag.",
    )

    desk = _desk(browser)
    page = _watch(desk.new_page())
    _login(page, live_server.url, world.users[Role.CLIENT_STAFF])
    waiting = page.locator("section", has=page.get_by_role("heading", name="Wat op je wacht"))
    expect(waiting.get_by_role("link", name="1 kandidaat wacht op je besluit")).to_be_visible()
    expect(waiting.get_by_role("link", name="2 open meldingen")).to_be_visible()
    expect(waiting.get_by_role("link", name="1 dringende melding")).to_be_visible()
    shot(page, "jr-cs-01-home")
    axe(page, "jr-portal-home")

    # The candidate: approved, confirmed; reopened, it is decided and the card is gone.
    waiting.get_by_role("link", name="1 kandidaat wacht op je besluit").click()
    expect(page.get_by_role("heading", name="Fatima el Amrani")).to_be_visible()
    page.get_by_label("Akkoord", exact=True).check()
    page.get_by_label("Reden").fill("Welkom in het team!")
    page.get_by_role("button", name="Besluit opslaan").click()
    expect(page.get_by_role("heading", name="Bevestig je besluit")).to_be_visible()
    shot(page, "jr-cs-02-confirm")
    page.get_by_role("button", name="Ja, goedkeuren en versturen").click()
    expect(page.get_by_text("Je besluit over Fatima el Amrani is opgeslagen.")).to_be_visible()
    page.get_by_role("navigation", name="Kruimelpad").get_by_role(
        "link", name=programme.name
    ).click()
    page.get_by_role("link", name="Kandidaten voor het team").click()
    expect(page.get_by_text("Er wachten geen kandidaten op je besluit.")).to_be_visible()
    decided = page.locator("li", has_text="Fatima el Amrani")
    expect(decided).to_contain_text("Welkom in het team!")
    shot(page, "jr-cs-03-decided")
    assert Application.objects.get(pk=fatima.pk).stage == Stage.SELECTED
    page.get_by_role("navigation", name="Kruimelpad").get_by_role(
        "link", name=world.client.name
    ).click()
    expect(page.get_by_role("link", name=re.compile("kandida"))).to_have_count(0)

    # The urgent signal, from its card: where it is, a new status with a note.
    page.get_by_role("link", name="1 dringende melding").click()
    page.get_by_role("link", name=str(bulky.category)).click()
    expect(page.locator("[data-signal-place]")).to_have_text("Lindelaan 12")
    page.get_by_label("Nieuwe status").select_option(label="Opgelost")
    page.get_by_label("Notitie").fill("Opgehaald door de reiniging.")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De melding is bijgewerkt.")).to_be_visible()
    page.get_by_role("navigation", name="Kruimelpad").get_by_role("link", name="Meldingen").click()
    page.get_by_role("link", name=str(bulky.category)).first.click()
    expect(page.get_by_text("Opgelost").first).to_be_visible()
    expect(page.get_by_text("Opgehaald door de reiniging.")).to_be_visible()
    shot(page, "jr-cs-04-signal")
    assert Signal.objects.get(pk=bulky.pk).status == "resolved"

    # Back home: one open signal left, none urgent; then the team's effort.
    page.get_by_role("navigation", name="Kruimelpad").get_by_role(
        "link", name=world.client.name
    ).click()
    expect(page.get_by_role("link", name="1 open melding")).to_be_visible()
    expect(page.get_by_role("link", name="0 dringende meldingen")).to_be_visible()
    page.get_by_role("link", name=programme.name).first.click()
    page.get_by_role("link", name="Rondes en inzet van het team").click()
    expect(page.get_by_role("heading", name=re.compile("^Inzet in"))).to_be_visible()
    by_category = page.locator("section", has=page.get_by_role("heading", name="Meldingen per"))
    expect(by_category.get_by_text(f"{bulky.category.name}: 1 (0 open)")).to_be_visible()
    shot(page, "jr-cs-05-effort")
    desk.close()


# --- Team member (phone) ----------------------------------------------------------------


def test_team_member_walks_a_round_on_the_phone(
    live_server, phone, world, team, shot, axe, unscoped
):
    from patrols import services as patrols
    from patrols.models import Round, Signal
    from trainings.models import Gear, RulesAcceptance

    from .test_ps_signal import HERE

    programme, member, _categories = team
    patrols.round_slot_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        starts_at=timezone.now() + dt.timedelta(days=2),
        meeting_point="Buurthuis De Linde",
        area="Lindelaan",
    )
    base = live_server.url
    phone.context.grant_permissions(["geolocation"], origin=base)
    phone.context.set_geolocation(HERE)
    _watch(phone)
    _login(phone, base, member)
    expect(phone.get_by_role("heading", name=re.compile("^Hallo"))).to_be_visible()
    expect(phone.get_by_text(programme.name).first).to_be_visible()
    shot(phone, "jr-tm-01-home")
    axe(phone, "jr-team-home")

    # Joins the next round on the schedule.
    phone.get_by_role("button", name=re.compile("^Ik doe mee")).click()
    expect(phone.locator("[data-signup-state]")).to_have_text(re.compile("Je doet mee"))

    # The rules and the gear sizes; reopened from the start page, both are kept.
    phone.get_by_role("link", name="Spelregels, kleding en mijn straten").click()
    phone.get_by_role("button", name="Ik accepteer de spelregels").click()
    expect(phone.get_by_text(re.compile("^Je hebt de spelregels geaccepteerd op"))).to_be_visible()
    phone.get_by_label("Bodywarmer").select_option("L")
    phone.get_by_label("Shirt").select_option("M")
    phone.get_by_role("button", name="Mijn maten opslaan").click()
    expect(phone.get_by_text("Je maten zijn opgeslagen.")).to_be_visible()
    phone.get_by_role("link", name="Terug naar mijn team").click()
    phone.get_by_role("link", name="Spelregels, kleding en mijn straten").click()
    expect(phone.get_by_text(re.compile("^Je hebt de spelregels geaccepteerd op"))).to_be_visible()
    expect(phone.get_by_role("button", name="Ik accepteer de spelregels")).to_have_count(0)
    expect(phone.get_by_label("Bodywarmer")).to_have_value("L")
    expect(phone.get_by_label("Shirt")).to_have_value("M")
    shot(phone, "jr-tm-02-rules-and-sizes")
    assert RulesAcceptance.objects.filter(user=member).exists()
    gear = Gear.objects.get(user=member)
    assert (gear.bodywarmer_size, gear.shirt_size) == ("L", "M")

    # A round: started, a signal in at most four taps, ended.
    phone.get_by_role("link", name="Terug naar mijn team").click()
    expect(phone.locator("[data-signup-state]")).to_have_text(re.compile("Je doet mee"))
    expect(phone.get_by_role("button", name=re.compile("^Ik doe mee"))).to_have_count(0)
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.get_by_role("link", name="Ronde starten").click()
    phone.get_by_role("button", name="Ronde starten").click()
    expect(phone.get_by_text("Ronde bezig sinds")).to_be_visible()
    taps = []

    def tap(locator, what):
        locator.click()
        taps.append(what)

    tap(phone.get_by_role("button", name="Iets melden"), "open the form")
    expect(phone.get_by_text("Locatie: automatisch bepaald")).to_be_visible()
    tap(phone.get_by_role("button", name=re.compile(r"^Zwerfvuil en grofvuil")), "category")
    tap(phone.get_by_role("button", name="Grofvuil", exact=True), "sub-category")
    shot(phone, "jr-tm-03-signal-form")
    with phone.expect_response(
        lambda r: "/api/signals/" in r.url and r.request.method == "POST"
    ) as sent:
        tap(phone.get_by_role("button", name="Opslaan", exact=True), "save")
    assert sent.value.status == 201
    expect(phone.get_by_text("Melding bewaard.")).to_be_visible()
    assert len(taps) <= 4, taps
    expect(phone.locator("[data-outbox-banner]").first).to_be_hidden(timeout=20000)
    phone.get_by_role("button", name="Ronde afsluiten").click()  # opens the end form
    with phone.expect_response(lambda r: r.url.endswith("/end/")) as ended:
        phone.get_by_role("button", name="Ronde afsluiten").click()
    assert ended.value.status in (200, 201), ended.value.text()
    expect(phone.get_by_text("Ronde afgesloten. Dank je wel!")).to_be_visible()
    signal = Signal.objects.get(category__name="Grofvuil")
    assert signal.round_id is not None
    assert Round.objects.get().ended_at is not None

    # My signals: the new one, still new; the round counts for this month.
    phone.get_by_role("link", name="Terug naar mijn team").click()
    effort = phone.locator("section", has=phone.get_by_role("heading", name="Mijn inzet"))
    expect(effort).to_contain_text("1 ronde")
    signals = phone.locator("section", has=phone.get_by_role("heading", name="Mijn meldingen"))
    expect(signals.get_by_role("link", name=re.compile("Grofvuil"))).to_be_visible()
    signals.get_by_role("link", name=re.compile("Grofvuil")).click()
    expect(phone.locator("main .badge").first).to_have_text("Nieuw")
    expect(phone.locator("[data-client-note]")).to_have_count(0)

    # The client resolves it with a note; the member reads it on the phone.
    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF],
        signal=signal,
        status="resolved",
        text="Opgehaald door de reiniging, dank je wel!",
    )
    phone.get_by_role("link", name="Terug naar mijn team").first.click()
    phone.get_by_role("link", name="Al mijn meldingen").click()
    card = phone.get_by_role("link", name=re.compile("Grofvuil"))
    expect(card).to_contain_text("Opgelost")
    card.click()
    expect(phone.locator("main .badge").first).to_have_text("Opgelost")
    expect(phone.locator("[data-client-note]")).to_have_text(
        "Opgehaald door de reiniging, dank je wel!"
    )
    shot(phone, "jr-tm-04-my-signal")
    axe(phone, "jr-my-signal")

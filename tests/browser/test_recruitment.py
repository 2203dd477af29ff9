"""A resident applies on a phone, the project leader proposes them, the client approves in the
portal, and the applicant becomes a team member through the link in the outcome e-mail."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from programmes.models import TeamMember
from programmes.permissions import Role
from recruitment import services
from recruitment.models import Application

from .helpers import login as _login

pytestmark = pytest.mark.browser


def test_application_to_team_member(
    live_server, browser, playwright, world, team, shot, settings, unscoped
):
    settings.SITE_URL = live_server.url
    programme = team[0]
    programme.postcode_areas = "3031"
    programme.save(update_fields=["postcode_areas"])
    services.campaign_save(
        actor=None,
        programme=programme,
        is_open=True,
        intro="Samen houden we de Lindebuurt schoon en veilig.",
    )
    device = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    resident_ctx = browser.new_context(**device, locale="nl-NL")
    phone = resident_ctx.new_page()
    phone.goto(f"{live_server.url}/apply/{world.client.slug}/{programme.pk}/")
    expect(phone.get_by_role("heading", name="Doe mee met Team Noord")).to_be_visible()
    phone.get_by_label("Naam").fill("Fatma Yilmaz")
    phone.get_by_label("E-mailadres").fill("fatma@example")
    phone.get_by_label("Straat").fill("Lindelaan")
    phone.get_by_label("Huisnummer").fill("7")
    phone.get_by_label("Postcode").fill("9999 ZZ")
    phone.get_by_label("Waarom wil je meedoen?").fill("Ik woon hier al twintig jaar.")
    phone.get_by_role("button", name="Mijn aanmelding versturen").click()
    expect(phone.get_by_text("Voer een geldig e-mailadres in.")).to_be_visible()
    expect(
        phone.get_by_text("Dit team is voor bewoners van de wijk (postcode 3031).")
    ).to_be_visible()
    expect(
        phone.get_by_text("Zonder je toestemming kunnen we je aanmelding niet behandelen.")
    ).to_be_visible()
    expect(phone.get_by_label("Waarom wil je meedoen?")).to_have_value(
        "Ik woon hier al twintig jaar."
    )
    shot(phone, "40-apply-errors")
    phone.get_by_label("E-mailadres").fill("fatma@example.org")
    phone.get_by_label("Postcode").fill("3031 AB")
    phone.get_by_label("Ik geef toestemming").check()
    phone.get_by_role("button", name="Mijn aanmelding versturen").click()
    expect(phone.get_by_role("heading", name="Dank je wel voor je aanmelding!")).to_be_visible()
    shot(phone, "41-apply-thanks")
    application = Application.objects.get(email="fatma@example.org")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = desk.new_page()
    _login(page, live_server.url, world.users[Role.PROJECT_LEADER], totp=True)
    page.goto(
        f"{live_server.url}/workspace/clients/{world.client.slug}/programmes/{programme.pk}/selection/"
    )
    for stage, advice in (
        ("interview", ""),
        ("proposed", "Betrokken bewoner, kent de buurt goed."),
    ):
        page.get_by_text("Volgende stap voor Fatma Yilmaz").click()
        page.get_by_label("Volgende stap").select_option(stage)
        if advice:
            page.get_by_label("Advies voor de opdrachtgever").fill(advice)
        page.get_by_role("button", name="Opslaan").first.click()
        expect(page.get_by_text("Fatma Yilmaz is een stap verder.")).to_be_visible()
    shot(page, "42-selection")

    portal_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    portal = portal_ctx.new_page()
    _login(portal, live_server.url, world.users[Role.CLIENT_STAFF])
    portal.goto(
        f"{live_server.url}/portal/{world.client.slug}/programmes/{programme.pk}/candidates/"
    )
    expect(portal.get_by_text("Betrokken bewoner, kent de buurt goed.")).to_be_visible()
    portal.get_by_label("Akkoord", exact=True).check()
    portal.get_by_label("Reden").fill("Past goed bij het team.")
    shot(portal, "43-candidates")
    portal.get_by_role("button", name="Besluit opslaan").click()
    expect(portal.get_by_text("Je keurt Fatma Yilmaz goed voor Team Noord.")).to_be_visible()
    portal.get_by_role("button", name="Ja, goedkeuren en versturen").click()
    expect(portal.get_by_text("Je besluit over Fatma Yilmaz is opgeslagen.")).to_be_visible()

    message = [
        m for m in mail.outbox if "fatma@example.org" in m.to[0] and "/invitation/" in m.body
    ][-1]
    link = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    phone.goto(link)
    phone.get_by_label("Kies een wachtwoord").fill("Lindebuurt-2026!")
    phone.get_by_label("Herhaal het wachtwoord").fill("Lindebuurt-2026!")
    phone.get_by_role("button", name="Mijn account aanmaken").click()
    expect(phone.get_by_role("heading", name=re.compile("Hallo Fatma"))).to_be_visible()
    shot(phone, "44-new-team-member")
    application.refresh_from_db()
    assert application.stage == "selected"
    assert TeamMember.objects.filter(programme=programme, user__email="fatma@example.org").exists()
    for ctx in (resident_ctx, desk, portal_ctx):
        ctx.close()


def test_survey_answered_online_and_on_paper(
    live_server, browser, playwright, world, team, shot, settings, unscoped
):
    programme = team[0]
    pl = world.users[Role.PROJECT_LEADER]
    survey = services.survey_create(actor=pl, programme=programme, title="Buurtonderzoek Noord")
    services.survey_set_status(actor=pl, survey=survey, status="open")
    device = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    resident_ctx = browser.new_context(**device, locale="nl-NL")
    phone = resident_ctx.new_page()
    url = f"{live_server.url}/survey/{world.client.slug}/{survey.public_id}/"
    for contact, street in (("Ans", "Lindelaan"), ("", "Lindelaan")):
        phone.goto(url)
        phone.get_by_label("Af en toe").check()
        phone.get_by_label("Zwerfvuil").check()
        phone.locator("fieldset, div").filter(has_text="Hoe veilig voel je je").get_by_label(
            "4"
        ).first.check()
        phone.get_by_label("Je straat (mag leeg blijven)").fill(street)
        if contact:
            phone.get_by_label("Naam").fill(contact)
            phone.get_by_label("Neem gerust contact met mij op over meedoen met het team").check()
            phone.get_by_role("button", name="Mijn antwoorden versturen").click()
            expect(
                phone.get_by_text("Geef een e-mailadres of telefoonnummer, of vink het vakje uit.")
            ).to_be_visible()
            shot(phone, "45-survey-error")
            phone.get_by_label("E-mailadres").fill("ans@example.org")
        phone.get_by_role("button", name="Mijn antwoorden versturen").click()
        expect(phone.get_by_role("heading", name="Dank je wel voor je antwoorden!")).to_be_visible()

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = desk.new_page()
    _login(page, live_server.url, pl, totp=True)
    base = f"{live_server.url}/workspace/clients/{world.client.slug}/programmes/{programme.pk}/surveys/{survey.pk}"
    page.goto(base + "/entry/")
    page.get_by_label("Veel").check()
    page.get_by_label("Hoe is het beantwoord?").select_option("paper")
    page.get_by_label("Je straat (mag leeg blijven)").fill("Dorpsstraat")
    page.get_by_role("button", name="Opslaan en de volgende invoeren").click()
    expect(page.get_by_text("De antwoorden zijn opgeslagen.")).to_be_visible()
    page.goto(base + "/results/")
    expect(page.get_by_text("3 reacties")).to_be_visible()
    row = page.locator("tr", has_text="Af en toe")
    expect(row).to_contain_text("2")
    expect(page.locator("tr", has_text="Lindelaan")).to_contain_text("2")
    shot(page, "46-survey-results")

    services.survey_set_status(actor=pl, survey=survey, status="closed")
    phone.goto(url)
    expect(phone.get_by_text("Dit onderzoek is gesloten.")).to_be_visible()
    resident_ctx.close()
    desk.close()

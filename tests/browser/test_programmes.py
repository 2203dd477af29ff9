"""A programme from the project leader's desk to the client's portal: create it, do the intake,
make and adjust the plan, hold an information meeting with a waiting list, and let the client
download the plan of approach as PDF."""

import datetime as dt
import re
import subprocess

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from programmes.models import Invitee, Milestone
from programmes.permissions import Role

from .conftest import ARTIFACTS
from .helpers import login as _login

pytestmark = pytest.mark.browser


def _reply_links():
    return {
        m.to[0]: re.search(r"https?://\S+/meeting/\S+/", m.body).group(0)
        for m in mail.outbox
        if "/meeting/" in m.body
    }


def test_programme_from_intake_to_portal_pdf(
    live_server, browser, playwright, world, shot, settings, unscoped
):
    settings.SITE_URL = live_server.url
    leader = world.users[Role.PROJECT_LEADER]
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = desk.new_page()
    _login(page, live_server.url, leader, totp=True)
    expect(page.get_by_role("heading", name="Werkplek")).to_be_visible()

    # Create the programme for the client.
    page.goto(f"{live_server.url}/workspace/clients/{world.client.slug}/")
    page.goto(f"{live_server.url}/workspace/clients/{world.client.slug}/programmes/new/")
    page.get_by_label("Naam").fill("BewonersTeam Lindehof")
    page.get_by_label("Wijk of buurt").fill("Lindehof")
    page.get_by_label("Gemeente").fill("Noordstad")
    page.get_by_label("Postcodegebieden").fill("30x1")
    page.get_by_label("Startdatum").fill("2026-09-07")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Gebruik postcodegebieden van vier cijfers")).to_be_visible()
    expect(page.get_by_label("Naam")).to_have_value("BewonersTeam Lindehof")
    page.get_by_label("Postcodegebieden").fill("3031, 3032")
    page.get_by_role("button", name="Opslaan").click()

    # Intake.
    expect(page.get_by_role("heading", name="Visie en uitgangspunten")).to_be_visible()
    page.get_by_label("Visie van de opdrachtgever").fill(
        "Een schone, veilige wijk waar bewoners elkaar kennen."
    )
    page.locator("#id_goals-0-description").fill("Minder grofvuil op straat")
    page.locator("#id_goals-0-measure").fill("30% minder meldingen")
    page.locator("#id_partners-0-name").fill("Henk de Vries")
    page.locator("#id_partners-0-role").select_option("caretaker")
    shot(page, "20-intake")
    page.get_by_role("button", name="Intake afronden").click()
    expect(page.get_by_text("De intake is opgeslagen en afgerond.")).to_be_visible()

    # Plan from the template, then move a milestone.
    page.get_by_role("button", name="Plan van aanpak maken op basis van het sjabloon").click()
    expect(page.get_by_text("Het plan is gemaakt op basis van het sjabloon.")).to_be_visible()
    row = page.locator("tr", has_text="Informatiebijeenkomst gehouden")
    row.get_by_role("link", name=re.compile("Wijzigen")).click()
    page.get_by_label("Deadline").fill("2026-10-16")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("tr", has_text="Informatiebijeenkomst gehouden")).to_contain_text("16")
    # The intake was completed before the plan was made: its milestone is ticked already.
    expect(
        page.locator("tr", has_text="Intakegesprek met de opdrachtgever").get_by_role(
            "button", name=re.compile("openzetten")
        )
    ).to_be_visible()
    first = page.locator("tr", has_text="Plan van aanpak vastgesteld")
    first.get_by_role("button", name=re.compile("afvinken")).click()
    expect(
        page.locator("tr", has_text="Plan van aanpak vastgesteld").get_by_role(
            "button", name=re.compile("openzetten")
        )
    ).to_be_visible()
    shot(page, "21-plan")
    assert Milestone.objects.filter(
        title="Informatiebijeenkomst gehouden", due_date=dt.date(2026, 10, 16)
    ).exists()

    # An information meeting with room for two, three people invited.
    page.get_by_role("link", name="Overzicht").click()
    page.get_by_role("link", name="Nieuwe bijeenkomst").click()
    start = timezone.localtime() + dt.timedelta(days=10)
    page.get_by_label("Soort").select_option("information")
    page.get_by_label("Titel").fill("Informatiebijeenkomst Lindehof")
    page.get_by_label("Begint om").fill(start.strftime("%Y-%m-%dT19:30"))
    page.get_by_label("Eindigt om").fill(start.strftime("%Y-%m-%dT19:00"))
    page.get_by_label("Plaats", exact=False).and_(page.locator("#id_location")).fill(
        "Buurthuis De Linde"
    )
    page.get_by_label("Aantal plaatsen").fill("2")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De bijeenkomst moet eindigen na het begin.")).to_be_visible()
    page.get_by_label("Eindigt om").fill(start.strftime("%Y-%m-%dT21:00"))
    page.get_by_role("button", name="Opslaan").click()
    for name, email in [
        ("Ans Smit", "ans@example.org"),
        ("Bram Bos", "bram@example.org"),
        ("Cor Dekker", "cor@example.org"),
    ]:
        page.get_by_label("Naam").fill(name)
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_role("button", name="Uitnodiging versturen").click()
        expect(
            page.get_by_text(f"{name} is uitgenodigd; de e-mail wordt zo verstuurd.")
        ).to_be_visible()

    links = _reply_links()
    assert len(links) == 3
    device = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    resident = browser.new_context(**device, locale="nl-NL")
    phone = resident.new_page()
    for email in [
        "Ans Smit <ans@example.org>",
        "Bram Bos <bram@example.org>",
        "Cor Dekker <cor@example.org>",
    ]:
        phone.goto(links[email])
        phone.get_by_label("Ja, ik kom").check()
        phone.get_by_role("button", name="Mijn antwoord versturen").click()
    expect(phone.get_by_text("je staat op de wachtlijst")).to_be_visible()
    shot(phone, "22-reply-waitlisted")
    assert Invitee.objects.get(email="cor@example.org").status == Invitee.Status.WAITLISTED

    phone.goto(links["Bram Bos <bram@example.org>"])
    phone.get_by_label("Nee, ik kan niet komen").check()
    phone.get_by_role("button", name="Mijn antwoord versturen").click()
    expect(phone.get_by_text("Je hebt laten weten dat je niet kunt komen.")).to_be_visible()
    assert Invitee.objects.get(email="cor@example.org").status == Invitee.Status.ACCEPTED
    assert any(
        "Er is een plek voor je" in m.subject for m in mail.outbox if "cor@example.org" in m.to[0]
    )

    page.reload()
    expect(page.get_by_text("2 van 2 plaatsen bezet")).to_be_visible()
    shot(page, "23-meeting")

    # The client sees the plan in the portal and downloads the PDF.
    client_ctx = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", accept_downloads=True
    )
    portal = client_ctx.new_page()
    _login(portal, live_server.url, world.users[Role.CLIENT_STAFF])
    portal.get_by_role("link", name="BewonersTeam Lindehof").click()
    expect(portal.get_by_text("Informatiebijeenkomst gehouden")).to_be_visible()
    portal.get_by_role("button", name="Pdf maken").click()
    download_link = portal.get_by_role("link", name="PDF downloaden")
    expect(download_link).to_be_visible(timeout=30000)
    shot(portal, "24-portal-programme")
    with portal.expect_download() as info:
        download_link.click()
    pdf = ARTIFACTS / "plan-van-aanpak.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(ARTIFACTS / "25-plan-pdf"),
        ],
        check=False,
    )
    for ctx in (desk, resident, client_ctx):
        ctx.close()

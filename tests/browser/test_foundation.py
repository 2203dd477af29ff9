"""The foundation as people use it: an admin sets up a client and invites its staff, the
invitee makes an account and sees only their own organisation; a team member logs in on a
phone with a code from their e-mail."""

import re

import pytest
from django.core import mail
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from programmes.models import Organisation
from programmes.permissions import Role

from ..factories import PASSWORD
from .helpers import totp_code

pytestmark = pytest.mark.browser


def _link_in_last_mail(to: str) -> str:
    message = [m for m in mail.outbox if any(to in addr for addr in m.to)][-1]
    return re.search(r"https?://\S+", message.body).group(0)


def test_admin_creates_client_and_invites_staff_who_sees_only_their_portal(
    live_server, page, world, other_world, shot, settings
):
    settings.SITE_URL = live_server.url
    admin = world.users[Role.CONSULTANCY_ADMIN]

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    shot(page, "01-login")
    page.get_by_label("E-mailadres").fill(admin.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    shot(page, "02-totp")
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name=re.compile("Bevestig|Aanmelden|Inloggen")).click()
    expect(page.get_by_role("heading", name="Werkplek")).to_be_visible()
    shot(page, "03-workspace")

    page.get_by_role("link", name="Nieuwe opdrachtgever").first.click()
    page.get_by_role("button", name="Opslaan").click()  # empty form: errors, nothing lost
    expect(page.get_by_text("Dit veld is verplicht.").first).to_be_visible()
    page.get_by_label("Naam").fill("Gemeente Lindeveld")
    page.get_by_label("Soort").select_option("municipality")
    page.get_by_label("Postcode").fill("12")
    page.get_by_label("Plaats").fill("Lindeveld")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Voer een Nederlandse postcode in")).to_be_visible()
    expect(page.get_by_label("Plaats")).to_have_value("Lindeveld")
    shot(page, "04-client-form-errors")
    page.get_by_label("Postcode").fill("1234 ab")
    page.get_by_label("Contactpersoon").first.fill("Lotte Linde")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", name="Gemeente Lindeveld")).to_be_visible()
    shot(page, "05-client-detail")

    page.get_by_role("link", name="Iemand uitnodigen").click()
    page.get_by_label("Naam").fill("Lotte Linde")
    page.get_by_label("E-mailadres").fill("lotte@lindeveld.example")
    page.get_by_label("Rol").select_option("client_staff")
    expect(page.get_by_label("Organisatie")).to_have_value(
        str(Organisation.objects.get(name="Gemeente Lindeveld").pk)
    )
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(
        page.get_by_text("De uitnodiging voor lotte@lindeveld.example staat klaar")
    ).to_be_visible()
    shot(page, "06-invitation-sent")
    page.get_by_role("button", name="Uitloggen").click()
    # Logging out first empties the app's cached pages, then posts: wait for the login page
    # as a user would, instead of racing the logout with the next address.
    expect(page.get_by_label("E-mailadres")).to_be_visible()

    link = _link_in_last_mail("lotte@lindeveld.example")
    page.goto(link)
    expect(page.get_by_role("heading", name="Welkom bij BewonersTeam")).to_be_visible()
    page.get_by_label("Kies een wachtwoord").fill("kort")
    page.get_by_label("Herhaal het wachtwoord").fill("kort")
    page.get_by_role("button", name="Mijn account aanmaken").click()
    expect(page.get_by_text("Dit wachtwoord is te kort").first).to_be_visible()
    shot(page, "07-accept-errors")
    page.get_by_label("Kies een wachtwoord").fill("Lindeveld-Buurt-2026")
    page.get_by_label("Herhaal het wachtwoord").fill("Lindeveld-Buurt-2026")
    page.get_by_role("button", name="Mijn account aanmaken").click()
    expect(page.get_by_role("heading", name="Gemeente Lindeveld")).to_be_visible()
    expect(page.get_by_text("Portaal van de opdrachtgever")).to_be_visible()
    shot(page, "08-portal")

    # Another organisation's portal and the workspace are closed to her.
    response = page.goto(f"{live_server.url}/portal/{world.client.slug}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Pagina niet gevonden")).to_be_visible()
    shot(page, "09-other-portal-404")
    response = page.goto(f"{live_server.url}/workspace/")
    assert response.status == 403
    shot(page, "10-workspace-403")

    # The reused link says so.
    page.goto(link)
    expect(page.get_by_role("heading", name="Deze uitnodiging is al gebruikt")).to_be_visible()
    with scopes_disabled():
        assert Organisation.objects.get(name="Gemeente Lindeveld").members.count() == 1


def test_team_member_logs_in_with_a_code_on_a_phone(live_server, phone, world, shot):
    member = world.users[Role.TEAM_MEMBER]
    phone.goto(live_server.url + "/accounts/login/")
    shot(phone, "11-phone-login")
    phone.get_by_role("link", name="Stuur mij een inlogcode").click()
    phone.get_by_label("E-mailadres").fill(member.email)
    phone.get_by_role("button", name=re.compile("code", re.I)).click()
    shot(phone, "12-phone-code")
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)
    phone.get_by_label("Code").fill("FOUT-CODE")
    phone.get_by_role("button", name=re.compile("Aanmelden|Inloggen|Bevestig")).click()
    expect(phone.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    phone.get_by_label("Code").fill(code)
    phone.get_by_role("button", name=re.compile("Aanmelden|Inloggen|Bevestig")).click()
    expect(phone.get_by_role("heading", name=re.compile("Hallo"))).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= phone.viewport_size["width"], "the page scrolls sideways on a phone"
    shot(phone, "13-phone-team-home")

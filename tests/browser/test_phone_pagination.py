"""On a phone, the lists that grow with a large corporation are shown a page at a time and the
page links work: the client's accounts, and a meeting a hundred people were invited to, where
attendance registered on a later page stays there and is shown after a reload."""

import pytest
from playwright.sync_api import expect

from programmes.models import Invitee
from programmes.permissions import Role
from tests.factories import UserFactory, add_invitees, meeting_soon

from .helpers import login

pytestmark = pytest.mark.browser


def test_client_accounts_and_meeting_invitees_page_by_page_on_a_phone(
    live_server, phone, world, team, shot, unscoped
):
    programme, _member, _ = team
    for i in range(60):
        UserFactory(role=Role.TEAM_MEMBER, organisation=world.client, name=f"Bewoner {i:03d}")
    meeting = meeting_soon(programme, days=2)
    add_invitees(meeting, 70, status="accepted")

    login(phone, live_server.url, world.users[Role.PROJECT_LEADER], totp=True)
    phone.get_by_role("button", name="Menu").click()
    phone.get_by_role("link", name="Opdrachtgevers").click()
    phone.get_by_role("link", name=world.client.name).first.click()

    # The accounts, fifty a page: the next page holds the rest, by name.
    accounts = phone.get_by_role("navigation", name="Pagina's met accounts")
    expect(accounts.get_by_text("Pagina 1 van 2")).to_be_visible()
    accounts.get_by_role("link", name="Volgende").click()
    expect(accounts.get_by_text("Pagina 2 van 2")).to_be_visible()
    expect(phone.get_by_role("cell", name="Bewoner 059")).to_be_visible()
    expect(phone.get_by_role("cell", name="Bewoner 000")).to_have_count(0)
    shot(phone, "phone-client-accounts-page-2")

    # A meeting of seventy: registering on the second page stays on it.
    phone.get_by_role("link", name=programme.name).first.click()
    phone.get_by_role("link", name="Informatieavond").click()
    expect(phone.locator("#seats")).to_contain_text("70 plaatsen bezet")  # counted in SQL
    invitees = phone.get_by_role("navigation", name="Pagina's met genodigden")
    invitees.get_by_role("link", name="Volgende").click()
    expect(invitees.get_by_text("Pagina 2 van 2")).to_be_visible()
    phone.get_by_role("button", name="Was er Genodigde 069").click()
    expect(phone.get_by_role("button", name="Was er Genodigde 069")).to_have_attribute(
        "aria-pressed", "true"
    )
    phone.reload()
    expect(invitees.get_by_text("Pagina 2 van 2")).to_be_visible()
    expect(phone.get_by_role("button", name="Was er Genodigde 069")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert Invitee.objects.get(meeting=meeting, name="Genodigde 069").attended is True
    # The wide table scrolls on its own; the page itself does not scroll sideways.
    assert phone.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    shot(phone, "phone-meeting-invitees-page-2")
    invitees.get_by_role("link", name="Vorige").click()
    expect(phone.get_by_role("button", name="Was er Genodigde 000")).to_be_visible()

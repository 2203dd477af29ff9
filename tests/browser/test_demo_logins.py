"""The demo as a first-time visitor meets it: every printed demo login lands on a page with real
content (the workspace, both clients' portals, the team members' phone app)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from programmes.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, PROGRAMMES, USERS
from programmes.permissions import Role

from .helpers import totp_code

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str, role: str) -> None:
    page.goto(base + "/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if role in (Role.CONSULTANCY_ADMIN, Role.PROJECT_LEADER):
        for _attempt in range(2):  # a code can turn over while it is typed on a slow machine
            page.get_by_label("Code").fill(totp_code(DEMO_TOTP_SECRET))
            page.get_by_role("button", name=re.compile("Bevestig|Aanmelden|Inloggen")).click()
            page.wait_for_load_state()
            if page.get_by_label("Code").count() == 0:
                break


def test_every_demo_login_lands_on_real_content(live_server, browser, playwright, shot, settings):
    settings.SITE_URL = live_server.url
    call_command("demo_data")
    names = {key: spec["name"] for key, spec in PROGRAMMES.items()}
    pixel = dict(playwright.devices["Pixel 7"])
    pixel.pop("default_browser_type", None)
    for email, _name, role, org in USERS:
        phone = role == Role.TEAM_MEMBER
        context = browser.new_context(
            **(pixel if phone else {"viewport": {"width": 1366, "height": 900}}),
            locale="nl-NL",
            timezone_id="Europe/Amsterdam",
        )
        page = context.new_page()
        _log_in(page, live_server.url, email, role)
        label = email.split("@")[0]
        if role in (Role.CONSULTANCY_ADMIN, Role.PROJECT_LEADER):
            expect(page.get_by_role("heading", name="Werkplek")).to_be_visible()
            for name in names.values():
                expect(page.get_by_role("link", name=name)).to_be_visible()
            shot(page, f"dm-landing-{label}")
            page.get_by_role("link", name=names["running"]).click()
            page.get_by_role("link", name="Rondes").click()
            expect(page.get_by_text("Gelopen rondes")).to_be_visible()
            shot(page, f"dm-landing-{label}-rounds")
        elif role == Role.CLIENT_STAFF:
            expect(page.get_by_text("Wat op je wacht")).to_be_visible()
            own = [n for k, n in names.items() if PROGRAMMES[k]["client"] == org]
            for name in own:
                expect(page.get_by_role("link", name=name).first).to_be_visible()
            shot(page, f"dm-landing-{label}-{org}")
            page.get_by_role("link", name="Meldingen van het team").click()
            expect(page.get_by_role("row").filter(has_text="Opgelost").first).to_be_visible()
            shot(page, f"dm-landing-{label}-signals")
        else:
            expect(page.get_by_text("Ronde starten").first).to_be_visible()
            expect(page.get_by_role("heading", name="Mijn meldingen")).to_be_visible()
            expect(page.get_by_text("Je doet mee").first).to_be_visible()
            shot(page, f"dm-landing-{label}-{org}")
        context.close()

"""The project leader marks an applicant as not selected: the page shows the e-mail first,
and after confirming the decision can be undone until the held mail leaves."""

import re

import pytest
from playwright.sync_api import expect

from programmes.models import OutboxMessage
from programmes.permissions import Role
from recruitment import services
from recruitment.models import Application
from recruitment.workflow import Stage

from .test_rc_duplicates import _login

pytestmark = pytest.mark.browser


def test_project_leader_declines_confirms_and_undoes(
    live_server, page, world, team, shot, settings, unscoped
):
    settings.SITE_URL = live_server.url
    settings.DECISION_UNDO_SECONDS = 300
    programme = team[0]
    pl = world.users[Role.PROJECT_LEADER]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    piet = services.application_submit(
        programme=programme,
        consent="ja",
        name="Piet Bakker",
        email="piet@example.org",
        street="Dorpsstraat",
        house_number="3",
        postcode="3031 AC",
        motivation="Ik ken iedereen in de straat.",
    )
    services.application_move(actor=pl, application=piet, stage=Stage.INTERVIEW)

    page.set_viewport_size({"width": 1280, "height": 900})
    _login(page, live_server.url, pl, totp=True)
    page.get_by_role("link", name="Team Noord").first.click()
    page.get_by_role("link", name="Werving").click()
    step = page.locator("details", has_text="Volgende stap voor Piet Bakker")
    step.get_by_text("Volgende stap voor Piet Bakker").click()
    step.get_by_role("combobox").select_option(Stage.NOT_SELECTED)
    step.get_by_role("textbox").first.fill("Te weinig tijd voor de rondes.")
    step.get_by_role("button", name="Opslaan").click()

    expect(page.get_by_role("heading", name="Bevestig je besluit")).to_be_visible()
    expect(
        page.get_by_text("Je markeert Piet Bakker als niet geselecteerd voor Team Noord.")
    ).to_be_visible()
    expect(page.get_by_text("Piet Bakker krijgt deze e-mail:")).to_be_visible()
    shot(page, "fu-01-leader-confirm-decline")
    assert not OutboxMessage.objects.filter(ref=services.decision_ref(piet)).exists()
    page.get_by_role("button", name="Ja, afwijzen en versturen").click()

    expect(page.get_by_text("Je besluit over Piet Bakker is opgeslagen.")).to_be_visible()
    expect(page.get_by_text(re.compile("Je hebt Piet Bakker afgewezen"))).to_be_visible()
    shot(page, "fu-02-leader-undo-offered")
    assert OutboxMessage.objects.get(ref=services.decision_ref(piet)).status == "queued"
    page.get_by_role("button", name="Ongedaan maken").click()
    expect(
        page.get_by_text(re.compile("Je besluit over Piet Bakker is ongedaan gemaakt"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Ongedaan maken")).to_have_count(0)
    expect(page.locator("#stage-interview")).to_contain_text("(1)")
    shot(page, "fu-03-leader-undone")
    assert Application.objects.get(pk=piet.pk).stage == Stage.INTERVIEW
    assert OutboxMessage.objects.get(ref=services.decision_ref(piet)).status == "cancelled"

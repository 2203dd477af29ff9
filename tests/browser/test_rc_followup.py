"""The neighbourhood survey measured again, in a browser: the project leader opens a closed
survey's results from the programme's survey tab, makes a follow-up and lands on its draft
with the same questions; the results of a follow-up that was answered compare it with its
baseline."""

import re

import pytest
from playwright.sync_api import expect

from programmes.permissions import Role
from recruitment import services

from .helpers import login

pytestmark = pytest.mark.browser


def _closed(pl, programme, title, safety_answers, *, baseline=None):
    """A survey (or a follow-up of `baseline`) answered once per value of the safety scale
    question, then closed."""
    if baseline is None:
        survey = services.survey_create(actor=pl, programme=programme, title=title)
    else:
        survey = services.survey_follow_up_create(actor=pl, survey=baseline, title=title)
    services.survey_set_status(actor=pl, survey=survey, status="open")
    safety = list(survey.questions.order_by("position", "pk"))[2]  # a scale of 1 to 5
    assert safety.kind == "scale", safety.kind
    for value in safety_answers:
        services.survey_respond(survey=survey, answers={safety.pk: value}, channel="online")
    services.survey_set_status(actor=pl, survey=survey, status="closed")
    return survey


@pytest.fixture
def surveys(world, team):
    """A closed survey "Nulmeting Noord" (2 responses) waits for its follow-up; "Voorjaar"
    (3 responses) was measured again in "Najaar" (2 responses)."""
    programme = team[0]
    pl = world.users[Role.PROJECT_LEADER]
    closed = _closed(pl, programme, "Nulmeting Noord", [3, 4])
    spring = _closed(pl, programme, "Voorjaar", [2, 3, 4])
    autumn = _closed(pl, programme, "Najaar", [4, 5], baseline=spring)
    return programme, closed, spring, autumn


def test_the_project_leader_measures_again_and_compares(
    live_server, browser, world, surveys, shot, axe
):
    programme, closed, spring, autumn = surveys
    pl = world.users[Role.PROJECT_LEADER]
    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    page = desk.new_page()
    login(page, live_server.url, pl, totp=True)
    page.get_by_role("link", name=programme.name).first.click()
    page.get_by_role("link", name="Buurtonderzoek", exact=True).click()

    # The closed survey's results, and a follow-up of it (after confirming).
    page.locator("p", has_text=closed.title).get_by_role("link", name="Uitkomsten").click()
    expect(page.get_by_role("heading", name=f"Uitkomsten: {closed.title}")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Vervolgmeting maken").click()
    expect(page.get_by_text("De vervolgmeting heeft dezelfde vragen")).to_be_visible()
    title = f"{closed.title} (vervolgmeting)"
    expect(page.get_by_text(title).first).to_be_visible()
    shot(page, "rc-01-follow-up-draft")

    # Back on the survey tab: the draft is listed, with the same questions when opened again.
    page.get_by_role("link", name="Buurtonderzoek", exact=True).click()
    listed = page.locator("p", has_text=title)
    expect(listed).to_contain_text("Concept")
    listed.get_by_role("link", name=title).click()
    for question in closed.questions.order_by("position", "pk")[:3]:
        expect(page.get_by_text(question.text).first).to_be_visible()
    follow_up = closed.follow_ups.get()
    assert follow_up.status == "draft"
    assert follow_up.questions.count() == closed.questions.count()

    # The answered follow-up's results compare it with its baseline: 3 responses, then 2.
    page.get_by_role("link", name="Buurtonderzoek", exact=True).click()
    page.locator("p", has_text=autumn.title).get_by_role("link", name="Uitkomsten").click()
    comparison = page.locator(".survey-comparison")
    expect(comparison.get_by_role("heading")).to_contain_text(
        f"{autumn.title} vergeleken met de nulmeting"
    )
    expect(comparison.get_by_role("heading")).to_contain_text(spring.title)
    responses = comparison.locator("table.cmp-responses tbody tr")
    expect(responses.locator("td").nth(0)).to_have_text("3")
    expect(responses.locator("td").nth(1)).to_have_text("2")
    expect(responses.locator("td").nth(2)).to_contain_text(re.compile(r"[-−]1 afname"))
    shot(page, "rc-02-follow-up-comparison")
    axe(page, "rc-follow-up-comparison")
    desk.close()

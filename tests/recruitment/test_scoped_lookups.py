"""Posted ids on the recruitment pages are looked up within the page's programme or survey:
another team's application or another survey's response is not found, and nothing changes.
The survey's conclusions are saved through a service, with an audit entry."""

import datetime as dt

import pytest
from django.urls import reverse

from programmes import services as base
from programmes.audit import audit_action_label
from programmes.models import AuditEntry
from programmes.permissions import Role
from recruitment import services
from recruitment.models import Application
from recruitment.workflow import Stage
from tests.builders import candidate


@pytest.fixture
def programmes(team, world):
    """Two programmes of the same client, each with a campaign that is open."""
    pl = world.users[Role.PROJECT_LEADER]
    second = base.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        name="Team West",
        neighbourhood="West",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    for programme in (team[0], second):
        services.campaign_save(actor=None, programme=programme, is_open=True)
    return team[0], second


def test_another_teams_application_is_not_found(client, world, programmes):
    first, second = programmes
    theirs = candidate(world, second, stage=Stage.PROPOSED)
    client.force_login(world.users[Role.PROJECT_LEADER])
    selection = reverse(
        "recruitment:programme_selection",
        kwargs={"org": world.client.slug, "programme_pk": first.pk},
    )
    assert (
        client.post(
            selection, {"application": theirs.pk, "stage": Stage.NOT_SELECTED, "confirm": "1"}
        ).status_code
        == 404
    )
    mine = candidate(world, first, stage=Stage.INTERVIEW)
    pair = f"{mine.pk}-{theirs.pk}"
    assert client.post(selection, {"merge_pair": pair, "merge_keep": mine.pk}).status_code == 404
    client.force_login(world.users[Role.CLIENT_STAFF])
    candidates = reverse(
        "recruitment:portal_candidates", kwargs={"org": world.client.slug, "programme_pk": first.pk}
    )
    posted = {"application": theirs.pk, f"a{theirs.pk}-decision": "approve", "confirm": "1"}
    posted[f"a{theirs.pk}-reason"] = "Past goed"
    assert client.post(candidates, posted).status_code == 404
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (theirs.stage, theirs.merged_into_id) == (Stage.PROPOSED, None)
    assert mine.merged_into_id is None


def test_another_surveys_response_is_not_converted(client, world, programmes):
    first, second = programmes
    pl = world.users[Role.PROJECT_LEADER]
    mine = services.survey_create(actor=pl, programme=first, title="Noord")
    theirs = services.survey_create(actor=pl, programme=second, title="West")
    services.survey_set_status(actor=pl, survey=theirs, status="open")
    join = theirs.questions.get(asks_to_join=True)
    response = services.survey_respond(
        survey=theirs,
        answers={join.pk: "ja"},
        channel="online",
        contact={"consent": True, "name": "Kees", "email": "kees@example.org"},
    )
    client.force_login(pl)
    url = reverse(
        "recruitment:survey_results",
        kwargs={"org": world.client.slug, "programme_pk": first.pk, "survey_pk": mine.pk},
    )
    assert client.post(url, {"convert": response.pk}).status_code == 404
    assert not Application.objects.filter(email="kees@example.org").exists()


def test_conclusions_are_saved_with_an_audit_entry(client, world, programmes):
    first, _second = programmes
    pl = world.users[Role.PROJECT_LEADER]
    survey = services.survey_create(actor=pl, programme=first, title="Noord")
    client.force_login(pl)
    url = reverse(
        "recruitment:survey_results",
        kwargs={"org": world.client.slug, "programme_pk": first.pk, "survey_pk": survey.pk},
    )
    response = client.post(url, {"conclusions": "Er is draagvlak. " * 400}, follow=True)
    assert "De conclusies zijn opgeslagen." in response.content.decode()
    survey.refresh_from_db()
    assert survey.conclusions.startswith("Er is draagvlak.") and len(survey.conclusions) == 5000
    entry = AuditEntry.objects.get(action="survey.concluded")
    assert entry.actor == pl and entry.organisation == world.client
    assert (
        str(audit_action_label("survey.concluded"))
        == "Conclusies van het buurtonderzoek opgeslagen"
    )

"""Limits on the public application page and the public survey: counted per visitor behind
the reverse proxy and per page, never for the programme's own project leader, and a limited
visitor gets a Dutch 429 page that still holds what they typed."""

import datetime as dt

import pytest
from django.urls import reverse

from programmes import services as base
from programmes.permissions import Role
from recruitment import services, survey_views
from recruitment.models import Application, SurveyResponse

from ..factories import UserFactory
from .test_selection import FORM
from .test_survey import _form

LIMITED = "Je hebt dit formulier te vaak kort na elkaar verstuurd"


@pytest.fixture
def programme(team):
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    return programme


@pytest.fixture
def other_programme(world, unscoped):
    """A programme of another client of the same consultancy, its campaign open."""
    leader = UserFactory(
        email="pl-wonen@noord.example", role=Role.PROJECT_LEADER, organisation=world.consultancy
    )
    leader.assigned_clients.set([world.other_client])
    programme = base.programme_create(
        actor=world.users[Role.CONSULTANCY_ADMIN],
        client=world.other_client,
        project_leaders=[leader],
        name="Team Wonen",
        neighbourhood="Wonen",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    services.campaign_save(actor=None, programme=programme, is_open=True)
    return programme


def _apply(client, programme, i, **extra):
    url = reverse(
        "recruitment:apply",
        kwargs={"org": programme.organisation.slug, "programme_pk": programme.pk},
    )
    return client.post(url, {**FORM, "email": f"r{i}@example.org"}, **extra)


def _via_proxy(address):
    """Headers of a request that reached us through the one trusted proxy."""
    return {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": address}


def test_limited_visitor_keeps_what_they_typed(client, programme, unscoped):
    for i in range(5):
        assert _apply(client, programme, i).status_code == 200
    response = _apply(client, programme, 99)
    page = response.content.decode()
    assert response.status_code == 429
    assert LIMITED in page
    # Everything they typed is still in the form, nothing was stored.
    assert 'value="Fatma Yilmaz"' in page and 'value="r99@example.org"' in page
    assert "mijn straat schoon" in page
    assert not Application.objects.filter(email="r99@example.org").exists()


def test_limit_counts_per_visitor_behind_the_proxy(client, programme, settings, unscoped):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for i in range(5):
        assert _apply(client, programme, i, **_via_proxy("203.0.113.5")).status_code == 200
    assert _apply(client, programme, 5, **_via_proxy("203.0.113.5")).status_code == 429
    # Another resident behind the same proxy is not held back by the first one.
    assert _apply(client, programme, 6, **_via_proxy("198.51.100.7")).status_code == 200
    # A forged entry to the left of the proxy's own does not buy a fresh counter.
    forged = _via_proxy("1.2.3.4, 203.0.113.5")
    assert _apply(client, programme, 7, **forged).status_code == 429


def test_client_ip_header_setting_is_honoured(client, programme, settings, unscoped):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    for i in range(5):
        assert _apply(client, programme, i, HTTP_X_REAL_IP="203.0.113.5").status_code == 200
    assert _apply(client, programme, 5, HTTP_X_REAL_IP="203.0.113.5").status_code == 429
    assert _apply(client, programme, 6, HTTP_X_REAL_IP="203.0.113.6").status_code == 200
    # Junk in the header falls back to the connection's address, never a 500.
    assert _apply(client, programme, 7, HTTP_X_REAL_IP="not-an-ip").status_code == 200


def test_one_clients_limit_never_blocks_another_client(client, programme, other_programme):
    for i in range(6):
        _apply(client, programme, i)
    assert _apply(client, programme, 10).status_code == 429
    assert _apply(client, other_programme, 11).status_code == 200
    assert Application.objects.filter(programme=other_programme).count() == 1


def test_project_leader_entering_applications_is_not_limited(client, world, programme):
    client.force_login(world.users[Role.PROJECT_LEADER])
    statuses = {_apply(client, programme, i).status_code for i in range(8)}
    assert statuses == {200}
    assert Application.objects.filter(programme=programme).count() == 8


def test_leader_of_another_programme_is_limited(client, world, programme, other_programme):
    """Being a project leader somewhere is not enough: only this programme's managers."""
    client.force_login(world.users[Role.PROJECT_LEADER])  # leads `programme`, not the other
    statuses = [_apply(client, other_programme, i).status_code for i in range(6)]
    assert statuses[-1] == 429


@pytest.fixture
def open_survey(team, world):
    pl = world.users[Role.PROJECT_LEADER]
    survey = services.survey_create(actor=pl, programme=team[0], title="Buurtonderzoek")
    services.survey_set_status(actor=pl, survey=survey, status="open")
    return survey


def _answer(client, survey, street="Lindelaan", **extra):
    url = reverse(
        "recruitment:survey_answer",
        kwargs={"org": survey.organisation.slug, "public_id": survey.public_id},
    )
    return client.post(url, _form(survey, street=street), **extra)


def test_public_survey_answers_are_limited(client, open_survey, monkeypatch, unscoped):
    monkeypatch.setattr(survey_views, "ANSWER_LIMIT", 2)
    assert [_answer(client, open_survey).status_code for _ in range(2)] == [200, 200]
    response = _answer(client, open_survey, street="Kastanjelaan 12")
    page = response.content.decode()
    assert response.status_code == 429 and LIMITED in page
    assert 'value="Kastanjelaan 12"' in page and "Gezellige buren" in page
    assert SurveyResponse.objects.filter(survey=open_survey).count() == 2
    # Another visitor answers as usual.
    assert _answer(client, open_survey, REMOTE_ADDR="192.0.2.9").status_code == 200


def test_project_leader_entering_survey_answers_is_not_limited(
    client, world, open_survey, monkeypatch, unscoped
):
    monkeypatch.setattr(survey_views, "ANSWER_LIMIT", 1)
    client.force_login(world.users[Role.PROJECT_LEADER])
    assert {_answer(client, open_survey).status_code for _ in range(3)} == {200}
    assert SurveyResponse.objects.filter(survey=open_survey).count() == 3

"""Recruitment pages keep their number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.permissions import Role
from recruitment import services
from recruitment.workflow import Stage


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _grow(world, programme, survey, n, start):
    pl = world.users[Role.PROJECT_LEADER]
    single = survey.questions.get(kind="single")
    for i in range(start, start + n):
        a = services.application_submit(
            programme=programme,
            consent="ja",
            name=f"Kandidaat {i}",
            email=f"k{i}@example.org",
            street="Laan",
            house_number=str(i),
            postcode="3031 AB",
            motivation="Graag",
        )
        services.application_move(actor=pl, application=a, stage=Stage.INTERVIEW)
        services.application_move(actor=pl, application=a, stage=Stage.PROPOSED, advice="Goed")
        services.survey_respond(
            survey=survey,
            answers={single.pk: "Veel"},
            channel="online",
            street=f"Straat {i % 4}",
            contact={"consent": True, "name": f"R{i}", "email": f"r{i}@example.org"},
        )
        services.door_visit_log(
            actor=pl,
            programme=programme,
            street=f"Straat {i % 4}",
            house_number=str(i),
            outcome="interested",
        )


@pytest.mark.parametrize(
    ("role", "page"),
    [
        (Role.PROJECT_LEADER, "recruitment:programme_selection"),
        (Role.PROJECT_LEADER, "recruitment:programme_campaign"),
        (Role.CLIENT_STAFF, "recruitment:portal_candidates"),
        (Role.PROJECT_LEADER, "recruitment:survey_results"),
    ],
)
def test_counts_do_not_grow(client, world, team, role, page):
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    survey = services.survey_create(actor=None, programme=programme, title="Buurt")
    services.survey_set_status(actor=None, survey=survey, status="open")
    kwargs = {"org": world.client.slug, "programme_pk": programme.pk}
    if page == "recruitment:survey_results":
        kwargs["survey_pk"] = survey.pk
    url = reverse(page, kwargs=kwargs)
    client.force_login(world.users[role])
    _grow(world, programme, survey, 5, 0)
    small = _count(client, url)
    _grow(world, programme, survey, 55, 5)  # more than a page of each list
    assert _count(client, url) == small

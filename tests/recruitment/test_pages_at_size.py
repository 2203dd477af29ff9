"""The recruitment list pages at size: the selection, the campaign and the survey results keep
their number of queries from 10 to 1,000 rows of each list, and show the same things."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from recruitment import selectors, services
from recruitment.models import Application, Survey
from recruitment.workflow import Stage
from reporting.generate import Generator


@pytest.fixture
def grower(db):
    """A programme with every recruitment list (rows made in bulk, as the benchmark makes
    them), a prospect, and a way to add `n` more rows to each list."""
    # The builders write rows of a whole consultancy from the test, outside any request.
    with scopes_disabled():
        gen = Generator(prefix="size", seed=12)
        consultancy, admin, leaders = gen.consultancy()
        (tenant,) = gen.tenants(consultancy, 1, leaders=leaders)
        (programme,) = gen.programmes(tenant, 1, leaders=leaders)
        kit = gen.equip(programme, actor=leaders[0])
        survey = kit["survey"]
        # One respondent who would join and may be contacted: the prospects list has a row
        # at every size.
        join = survey.questions.get(asks_to_join=True)
        survey.refresh_from_db()
        if survey.status != Survey.Status.OPEN:
            services.survey_set_status(actor=None, survey=survey, status="open")
        services.survey_respond(
            survey=survey,
            answers={join.pk: "ja"},
            channel="paper",
            entered_by=leaders[0],
            street="Lindelaan",
            contact={"consent": True, "name": "Rosa", "email": "rosa@example.org"},
        )

    def grow(n):
        with scopes_disabled():
            gen.applications(programme, n, city=tenant.city)
            gen.door_visits(programme, n, city=tenant.city)
            gen.survey_responses(survey, kit["questions"], n, city=tenant.city)

    return {
        "admin": admin,
        "org": tenant.organisation,
        "programme": programme,
        "survey": survey,
    }, grow


def _queries(client, url):
    client.get(url)  # the first request of a session does more (the session's own writes)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response.content.decode()


@pytest.mark.parametrize("page", ["selection", "selection_stage", "campaign", "survey_results"])
def test_query_count_is_the_same_at_10_and_1000_rows(client, grower, page):
    world, grow = grower
    kwargs = {"org": world["org"].slug, "programme_pk": world["programme"].pk}
    url = {
        "selection": reverse("recruitment:programme_selection", kwargs=kwargs),
        "selection_stage": reverse("recruitment:programme_selection", kwargs=kwargs)
        + "?stage=applied&page=2",
        "campaign": reverse("recruitment:programme_campaign", kwargs=kwargs),
        "survey_results": reverse(
            "recruitment:survey_results", kwargs={**kwargs, "survey_pk": world["survey"].pk}
        ),
    }[page]
    client.force_login(world["admin"])
    grow(10)
    small, _ = _queries(client, url)
    grow(990)
    large, html = _queries(client, url)
    assert large == small
    if page == "selection":
        assert html.count('name="application"') == 25  # a page of applicants, each a form


def test_selection_lists_stages_in_order_newest_first(grower):
    world, grow = grower
    grow(60)
    programme = world["programme"]
    with scopes_disabled():
        rows = list(selectors.applications_for_selection(programme=programme))
        expected = sorted(
            Application.objects.filter(programme=programme, merged_into__isnull=True),
            key=lambda a: (
                Stage.values.index(a.stage),
                -a.created_at.timestamp(),
                -a.pk,
            ),
        )
    assert [a.pk for a in rows] == [a.pk for a in expected]


def test_survey_results_tell_what_the_page_leaves_out(grower):
    world, grow = grower
    grow(300)
    with scopes_disabled():
        survey = Survey.objects.get(pk=world["survey"].pk)
        results = selectors.survey_counts(survey=survey)
        streets = survey.responses.values("street").distinct().count()
        assert len(results["by_street"]) == min(streets, selectors.STREETS_SHOWN)
        assert results["streets_more"] == max(streets - selectors.STREETS_SHOWN, 0)
        for r in results["questions"]:
            answered = survey.responses.filter(answers__question=r.question).count()
            assert r.answered == answered
            if r.texts is not None:
                newest = list(
                    r.question.answers.order_by("-pk").values_list("value", flat=True)[
                        : selectors.OPEN_ANSWERS_SHOWN
                    ]
                )
                assert r.texts == newest[::-1]  # the newest, oldest of them first
                assert r.more == answered - len(r.texts)

"""The recruitment list pages at size: the selection, the campaign and the survey results keep
their number of queries from 10 to 1,000 rows of each list, and show the same things."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from programmes.models import ReadEntry
from programmes.services.reads import record_read
from recruitment import selectors, services
from recruitment.models import Application, Survey
from recruitment.workflow import Stage
from reporting.generate import Generator


@pytest.fixture
def grower(db):
    """A programme with every recruitment list (rows made in bulk, as the benchmark makes
    them), a prospect, and a way to add `n` more rows to each list."""
    return _grower(prospect=True)


def _grower(*, prospect: bool):
    # The builders write rows of a whole consultancy from the test, outside any request.
    with scopes_disabled():
        gen = Generator(prefix="size", seed=12)
        consultancy, admin, leaders = gen.consultancy()
        (tenant,) = gen.tenants(consultancy, 1, leaders=leaders)
        (programme,) = gen.programmes(tenant, 1, leaders=leaders)
        kit = gen.equip(programme, actor=leaders[0])
        survey = kit["survey"]
        join = survey.questions.get(asks_to_join=True)
        survey.refresh_from_db()
        if survey.status != Survey.Status.OPEN:
            services.survey_set_status(actor=None, survey=survey, status="open")
    if prospect:  # one who would join and may be contacted: a prospect at every size
        _prospect(survey, join, leaders[0])

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


def _prospect(survey, join, leader):
    with scopes_disabled():
        services.survey_respond(
            survey=survey,
            answers={join.pk: "ja"},
            channel="paper",
            entered_by=leader,
            street="Lindelaan",
            contact={"consent": True, "name": "Rosa", "email": "rosa@example.org"},
        )


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


def test_survey_results_without_prospects_cost_only_the_read_log_less(client, db):
    """With nobody to list as a prospect the page asks the same questions as with a page of
    them; only the read log is not written (nobody's contact details were shown). The
    prospects and their number used to cost a COUNT and a query the empty list skipped, so
    a survey without prospects hid that the page's queries were not the same."""
    world, grow = _grower(prospect=False)
    survey = world["survey"]
    url = reverse(
        "recruitment:survey_results",
        kwargs={
            "org": world["org"].slug,
            "programme_pk": world["programme"].pk,
            "survey_pk": survey.pk,
        },
    )
    client.force_login(world["admin"])
    grow(10)
    with scopes_disabled():  # whatever the builder made: nobody would join at 10 rows
        survey.responses.update(contact_consent_at=None)
    small, html = _queries(client, url)
    assert "Nobody yet." in html or "Nog niemand." in html
    grow(990)
    with scopes_disabled():
        shown = selectors.survey_prospects(survey=survey).first()
        assert shown is not None  # a page of prospects at 1,000 rows
        with CaptureQueriesContext(connection) as write:
            record_read(user=world["admin"], subjects=[shown], what=ReadEntry.What.RESPONDENT)
    large, _ = _queries(client, url)
    assert large == small + len(write)


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


@pytest.mark.parametrize("asked", ["", "?page=1", "?page=99", "?page=x", "?page=0"])
def test_survey_prospects_page_is_the_one_paginate_answers(client, grower, asked):
    """The prospects come with their number in one statement; a page past the end or a
    page that is no number still answers the page `paginate` answers (the last or the first)."""
    world, grow = grower
    grow(10)
    url = reverse(
        "recruitment:survey_results",
        kwargs={
            "org": world["org"].slug,
            "programme_pk": world["programme"].pk,
            "survey_pk": world["survey"].pk,
        },
    )
    client.force_login(world["admin"])
    response = client.get(url + asked)
    assert response.status_code == 200
    html = response.content.decode()
    with scopes_disabled():
        shown = selectors.survey_prospects(survey=world["survey"]).count()
    assert html.count('name="convert"') == shown  # one page holds them all
    assert "Rosa" in html

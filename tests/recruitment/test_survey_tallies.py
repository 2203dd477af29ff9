"""The survey's stored tallies: every response keeps them, so the results page reads a few
rows; they must always equal a fresh count of the answers."""

import importlib
import random

import pytest
from django.apps import apps
from django_scopes import scopes_disabled

from programmes.permissions import Role
from recruitment import selectors, services, tallies
from recruitment.models import Answer, SurveyResponse, SurveyTally


@pytest.fixture
def survey(team, world):
    leader = world.users[Role.PROJECT_LEADER]
    survey = services.survey_create(actor=leader, programme=team[0], title="Buurtonderzoek")
    services.question_add(
        actor=leader,
        survey=survey,
        kind="multiple",
        text="Een heel lange keuze",
        options=["x" * 500, "Kort"],
    )
    services.survey_set_status(actor=leader, survey=survey, status="open")
    return survey


def _answers(survey, rng):
    """A response as a resident gives it: some questions skipped, choices at random."""
    answers = {}
    for q in survey.questions.all():
        if rng.random() < 0.2:
            continue  # skipped
        if q.kind == "single":
            answers[q.pk] = rng.choice(q.options)
        elif q.kind == "multiple":
            answers[q.pk] = rng.sample(q.options, rng.randint(1, len(q.options)))
        elif q.kind == "scale":
            answers[q.pk] = str(rng.randint(1, 5))
        elif q.kind == "yesno":
            answers[q.pk] = rng.choice(["ja", "nee"])
        else:
            answers[q.pk] = rng.choice(["Gezellig", "Rustig", ""])  # "" is no answer
    return answers


def _kept(survey) -> dict:
    return {
        (t.dimension, t.question_id, t.value): t.n
        for t in SurveyTally.objects.filter(survey=survey)
        if t.n
    }


def _fresh(survey) -> dict:
    return dict(
        tallies.counted(
            answers=Answer.objects.filter(question__survey=survey),
            responses=SurveyResponse.objects.filter(survey=survey),
            kinds=dict(survey.questions.values_list("pk", "kind")),
        )
    )


def _respond(survey, rng, n):
    for _ in range(n):
        services.survey_respond(
            survey=survey,
            answers=_answers(survey, rng),
            channel=rng.choice(["online", "paper", "door"]),
            street=rng.choice(["Lindelaan", "Dorpsstraat", "  Dorpsstraat ", ""]),
        )


def test_the_kept_tallies_equal_a_fresh_count(survey):
    rng = random.Random(12)
    _respond(survey, rng, 60)
    kept = _kept(survey)
    assert kept == _fresh(survey)
    # Spot checks against the answers themselves, not only against the same counting code.
    responses = SurveyResponse.objects.filter(survey=survey)
    assert (
        kept[(tallies.STREET, None, "Dorpsstraat")]
        == responses.filter(street="Dorpsstraat").count()
    )
    assert sum(n for (d, _q, _v), n in kept.items() if d == tallies.CHANNEL) == 60
    long = survey.questions.get(text="Een heel lange keuze")
    chose_long = sum("x" * 500 in a.value for a in Answer.objects.filter(question=long))
    assert kept[(tallies.OPTION, long.pk, "x" * 500)] == chose_long
    assert kept[(tallies.ANSWERED, long.pk, "")] == Answer.objects.filter(question=long).count()


def test_the_results_read_from_the_tallies(survey):
    rng = random.Random(3)
    _respond(survey, rng, 25)
    results = selectors.survey_counts(survey=survey)
    assert results["total"] == 25
    streets = dict(results["by_street"])
    assert (
        streets["Dorpsstraat"]
        == SurveyResponse.objects.filter(survey=survey, street="Dorpsstraat").count()
    )
    assert streets.get("–") == SurveyResponse.objects.filter(survey=survey, street="").count()
    yesno = survey.questions.filter(kind="yesno").first()
    row = next(r for r in results["questions"] if r.question.pk == yesno.pk)
    said_yes = Answer.objects.filter(question=yesno, value="ja").count()
    assert dict((label, n) for label, n, _pct in row.counts)["Ja"] == said_yes
    assert row.answered == Answer.objects.filter(question=yesno).count()


def test_rebuilding_gives_what_was_kept_and_a_removed_question_takes_its_tallies(survey, world):
    rng = random.Random(7)
    _respond(survey, rng, 20)
    kept = _kept(survey)
    SurveyTally.objects.filter(survey=survey).update(n=99)  # spoilt
    assert services.survey_tallies_rebuild(survey=survey) > 0
    assert _kept(survey) == kept
    question = survey.questions.filter(kind="single").first()
    pk = question.pk
    assert SurveyTally.objects.filter(question_id=pk).exists()
    with scopes_disabled():
        question.delete()  # as question_remove does, on a draft
    assert not SurveyTally.objects.filter(question_id=pk).exists()
    assert _kept(survey) == _fresh(survey)


def test_the_migration_counts_the_tallies_of_existing_answers(survey):
    rng = random.Random(5)
    _respond(survey, rng, 15)
    kept = _kept(survey)
    SurveyTally.objects.all().delete()
    migration = importlib.import_module("recruitment.migrations.0013_survey_tally")
    with scopes_disabled():
        migration.fill(apps, None)
    assert _kept(survey) == kept


def test_the_page_queries_do_not_grow_with_the_answers(client, survey, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse(
        "recruitment:survey_results",
        kwargs={
            "org": world.client.slug,
            "programme_pk": survey.programme_id,
            "survey_pk": survey.pk,
        },
    )
    client.force_login(world.users[Role.PROJECT_LEADER])
    rng = random.Random(9)
    _respond(survey, rng, 3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _respond(survey, rng, 40)
    with CaptureQueriesContext(connection) as more:
        page = client.get(url)
    assert len(more) == len(few)
    assert "43 reacties" in page.content.decode()
    assert not any('recruitment_answer" WHERE' in q["sql"] and "GROUP BY" in q["sql"] for q in more)


def test_would_join_is_marked_as_the_response_comes_in_and_by_the_migration(survey):
    join = survey.questions.get(asks_to_join=True)
    other = survey.questions.filter(kind="yesno", asks_to_join=False).first()
    consent = {"consent": True, "name": "Ans", "email": "ans@example.org", "phone": ""}
    yes = services.survey_respond(
        survey=survey, answers={join.pk: "ja"}, channel="paper", contact=consent
    )
    no = services.survey_respond(
        survey=survey, answers={join.pk: "nee", other.pk: "ja"}, channel="paper", contact=consent
    )
    silent = services.survey_respond(survey=survey, answers={join.pk: "ja"}, channel="door")
    marked = dict(SurveyResponse.objects.values_list("pk", "would_join"))
    assert marked == {yes.pk: True, no.pk: False, silent.pk: True}
    # Only who would join and left contact details is a prospect.
    assert list(selectors.survey_prospects(survey=survey)) == [yes]
    SurveyResponse.objects.update(would_join=False)
    migration = importlib.import_module("recruitment.migrations.0014_response_would_join")
    with scopes_disabled():
        migration.fill(apps, None)
    assert dict(SurveyResponse.objects.values_list("pk", "would_join")) == marked

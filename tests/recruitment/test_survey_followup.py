"""The neighbourhood survey measured again (a follow-up) and compared with its baseline:
the copy is exact, the comparison's counts, shares and changes match hand-computed figures,
the pages and the PDF show it, another client's survey is a 404, and the queries do not grow
with the surveys or the responses."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import RestrictedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.models import AuditEntry, Document
from programmes.pdf import render_html, render_pdf
from programmes.permissions import Role
from programmes.registry import document_kind
from recruitment import selectors, services
from recruitment.models import Question, Survey


def _by_kind(survey):
    qs = list(survey.questions.order_by("position", "pk"))
    return {
        "text": qs[0],  # "Wat vind je goed aan je buurt?"
        "safety": qs[2],  # scale
        "clean": qs[3],  # scale, never answered
        "contact": qs[4],  # single: Veel, Af en toe, Weinig, Geen
        "problems": qs[5],  # multiple
        "team": qs[6],  # yes/no
        "join": qs[7],  # yes/no, asks to join
    }


@pytest.fixture
def baseline(world, team):
    """A closed baseline with four responses (figures worked out in the tests below)."""
    pl = world.users[Role.PROJECT_LEADER]
    survey = services.survey_create(actor=pl, programme=team[0], title="Nulmeting Noord")
    services.survey_set_status(actor=pl, survey=survey, status="open")
    q = _by_kind(survey)
    for answers in [
        {q["safety"].pk: 2, q["problems"].pk: ["Zwerfvuil", "Overlast"], q["contact"].pk: "Veel"},
        {q["safety"].pk: 4, q["problems"].pk: ["Zwerfvuil"], q["contact"].pk: "Weinig"},
        {q["safety"].pk: 3, q["contact"].pk: "Veel", q["text"].pk: "Goed"},
        {q["team"].pk: "ja"},
    ]:
        services.survey_respond(survey=survey, answers=answers, channel="online")
    services.survey_set_status(actor=pl, survey=survey, status="closed")
    return survey


@pytest.fixture
def follow_up(world, baseline):
    """The follow-up, edited as a draft (the join question removed, a new question added,
    the contact question's options changed), then answered twice."""
    pl = world.users[Role.PROJECT_LEADER]
    survey = services.survey_follow_up_create(actor=pl, survey=baseline)
    q = _by_kind(survey)
    services.question_remove(actor=pl, question=q["join"])
    services.question_add(
        actor=pl, survey=survey, kind="single", text="Ken je het team?", options=["Ja", "Nee"]
    )
    # No service edits a question's options yet; an edit (or a future one) may change them.
    Question.objects.filter(pk=q["contact"].pk).update(options=["Veel", "Af en toe", "Nooit"])
    services.survey_set_status(actor=pl, survey=survey, status="open")
    for answers in [
        {
            q["safety"].pk: 5,
            q["problems"].pk: ["Overlast"],
            q["contact"].pk: "Nooit",
            q["text"].pk: "Beter",
        },
        {
            q["safety"].pk: 4,
            q["problems"].pk: ["Zwerfvuil", "Grofvuil"],
            q["contact"].pk: "Veel",
            q["text"].pk: "Ok",
        },
    ]:
        services.survey_respond(survey=survey, answers=answers, channel="paper", entered_by=pl)
    services.survey_set_status(actor=pl, survey=survey, status="closed")
    return survey


def _url(name, world, survey):
    return reverse(
        name,
        kwargs={
            "org": world.client.slug,
            "programme_pk": survey.programme_id,
            "survey_pk": survey.pk,
        },
    )


def test_follow_up_copies_the_questions_exactly(world, baseline):
    pl = world.users[Role.PROJECT_LEADER]
    survey = services.survey_follow_up_create(actor=pl, survey=baseline)
    assert survey.status == Survey.Status.DRAFT and survey.baseline == baseline
    assert survey.programme == baseline.programme and survey.public_id != baseline.public_id

    def shape(s):
        return [
            (q.position, q.kind, q.text, q.options, q.required, q.asks_to_join)
            for q in s.questions.order_by("position", "pk")
        ]

    assert shape(survey) == shape(baseline)
    assert [q.baseline_question_id for q in survey.questions.order_by("position", "pk")] == [
        q.pk for q in baseline.questions.order_by("position", "pk")
    ]
    assert survey.responses.count() == 0
    assert AuditEntry.objects.filter(
        action="survey.follow_up_created", object_id=str(survey.pk)
    ).exists()


def test_only_a_closed_survey_is_measured_again(world, team):
    pl = world.users[Role.PROJECT_LEADER]
    survey = services.survey_create(actor=pl, programme=team[0], title="Nog open")
    services.survey_set_status(actor=pl, survey=survey, status="open")
    with pytest.raises(ValidationError):
        services.survey_follow_up_create(actor=pl, survey=survey)
    assert not Survey.objects.filter(baseline=survey).exists()


def test_a_baseline_is_not_deleted_under_its_follow_up(world, follow_up, baseline):
    # RESTRICT: the baseline alone cannot go (the comparison would silently vanish) ...
    with pytest.raises(RestrictedError):
        baseline.delete()
    # ... but with its follow-up gone (or the whole programme deleted) it can.
    follow_up.delete()
    baseline.delete()
    assert not Survey.objects.filter(pk=baseline.pk).exists()


def test_a_programme_with_both_surveys_can_still_be_deleted(world, follow_up):
    programme = follow_up.programme
    Survey.objects.filter(programme=programme).delete()
    assert not Survey.objects.filter(programme=programme).exists()


def _question(comparison, text):
    return next(q for q in comparison["questions"] if q["text"] == text)


def _option(question, label):
    return next(o for o in question["options"] if o["label"] == label)


def test_comparison_against_hand_computed_figures(world, baseline, follow_up):
    comparison = selectors.survey_comparison(survey=follow_up)
    assert comparison["baseline_id"] == baseline.pk
    assert (comparison["baseline_responses"], comparison["follow_up_responses"]) == (4, 2)
    assert comparison["responses_change"] == -2
    b = _by_kind(baseline)

    # Scale: baseline 2, 4, 3 (mean 3.0); follow-up 5, 4 (mean 4.5).
    safety = _question(comparison, b["safety"].text)
    assert safety["compared"] and not safety["options_changed"]
    assert (safety["baseline_answered"], safety["follow_up_answered"]) == (3, 2)
    assert safety["answered_change"] == -1
    assert (safety["baseline_mean"], safety["follow_up_mean"], safety["mean_change"]) == (
        3.0,
        4.5,
        1.5,
    )
    assert [
        (o["label"], o["baseline_count"], o["baseline_share"], o["follow_up_count"])
        for o in safety["options"]
    ] == [
        ("1", 0, 0.0, 0),
        ("2", 1, 33.3, 0),
        ("3", 1, 33.3, 0),
        ("4", 1, 33.3, 1),
        ("5", 0, 0.0, 1),
    ]
    assert [o["follow_up_share"] for o in safety["options"]] == [0.0, 0.0, 0.0, 50.0, 50.0]
    assert [o["change"] for o in safety["options"]] == [0.0, -33.3, -33.3, 16.7, 50.0]

    # Several choices, a share of those who answered the question (2 each time).
    problems = _question(comparison, b["problems"].text)
    assert (problems["baseline_answered"], problems["follow_up_answered"]) == (2, 2)
    assert (
        _option(problems, "Zwerfvuil")["baseline_count"],
        _option(problems, "Zwerfvuil")["follow_up_count"],
    ) == (2, 1)
    assert _option(problems, "Zwerfvuil")["baseline_share"] == 100.0
    assert _option(problems, "Zwerfvuil")["change"] == -50.0
    assert _option(problems, "Overlast")["change"] == 0.0
    assert _option(problems, "Grofvuil")["follow_up_share"] == 50.0
    assert _option(problems, "Grofvuil")["change"] == 50.0
    assert _option(problems, "Vandalisme")["baseline_count"] == 0
    assert problems["baseline_mean"] is None

    # Never answered, on either side: counted as 0, no share, no change.
    clean = _question(comparison, b["clean"].text)
    assert (clean["baseline_answered"], clean["follow_up_answered"]) == (0, 0)
    assert clean["baseline_mean"] is clean["follow_up_mean"] is clean["mean_change"] is None
    assert {o["baseline_share"] for o in clean["options"]} == {None}
    assert {o["change"] for o in clean["options"]} == {None}

    # Answered in the baseline only (1 "ja"): no share after, so no change.
    team = _question(comparison, b["team"].text)
    assert (team["baseline_answered"], team["follow_up_answered"]) == (1, 0)
    yes = team["options"][0]
    assert (yes["baseline_count"], yes["baseline_share"], yes["follow_up_count"]) == (1, 100.0, 0)
    assert yes["follow_up_share"] is None and yes["change"] is None

    # Open question: counted only.
    text = _question(comparison, b["text"].text)
    assert text["options"] == [] and text["kind"] == "text"
    assert (text["baseline_answered"], text["follow_up_answered"], text["answered_change"]) == (
        1,
        2,
        1,
    )


def test_changed_options_are_listed_from_both_and_compared_where_both_asked(
    world, baseline, follow_up
):
    comparison = selectors.survey_comparison(survey=follow_up)
    contact = _question(comparison, _by_kind(baseline)["contact"].text)
    assert contact["compared"] and contact["options_changed"]
    rows = [
        (
            o["label"],
            o["baseline_count"],
            o["baseline_share"],
            o["follow_up_count"],
            o["follow_up_share"],
            o["change"],
        )
        for o in contact["options"]
    ]
    assert rows == [
        # baseline: Veel 2, Weinig 1 of 3; follow-up: Veel 1, Nooit 1 of 2
        ("Veel", 2, 66.7, 1, 50.0, -16.7),
        ("Af en toe", 0, 0.0, 0, 0.0, 0.0),
        ("Weinig", 1, 33.3, None, None, None),  # not offered in the follow-up
        ("Geen", 0, 0.0, None, None, None),
        ("Nooit", None, None, 1, 50.0, None),  # new in the follow-up
    ]


def test_added_and_removed_questions(world, baseline, follow_up):
    comparison = selectors.survey_comparison(survey=follow_up)
    added = _question(comparison, "Ken je het team?")
    assert not added["compared"] and added["baseline_answered"] is None
    assert [o["baseline_count"] for o in added["options"]] == [None, None]
    assert comparison["not_asked_again"] == [_by_kind(baseline)["join"].text]
    assert [q["number"] for q in comparison["questions"]] == list(range(1, 9))


def test_comparisons_for_the_programme_leave_out_drafts_and_plain_surveys(
    world, baseline, follow_up
):
    pl = world.users[Role.PROJECT_LEADER]
    services.survey_follow_up_create(actor=pl, survey=follow_up)  # a draft: nothing to show
    found = selectors.survey_comparisons_for(programme=baseline.programme)
    assert [c["survey_id"] for c in found] == [follow_up.pk]
    assert selectors.survey_comparison(survey=baseline) is None
    assert found[0] == selectors.survey_comparison(survey=follow_up)


def test_results_page_and_button(client, world, baseline, follow_up):
    pl = world.users[Role.PROJECT_LEADER]
    client.force_login(pl)
    page = client.get(_url("recruitment:survey_results", world, follow_up)).content.decode()
    assert "vergeleken met de nulmeting" in page
    assert "+16,7" in page and "▲" in page and "-33,3" in page and "▼" in page
    assert "Vervolgmeting maken" in page  # the follow-up is closed too: it can be measured again
    edit = client.get(_url("recruitment:survey_edit", world, baseline)).content.decode()
    assert "Vervolgmeting maken" in edit
    response = client.post(_url("recruitment:survey_edit", world, baseline), {"follow_up": "1"})
    newest = Survey.objects.filter(baseline=baseline).order_by("-pk").first()
    assert newest.pk != follow_up.pk and newest.status == Survey.Status.DRAFT
    assert response["Location"] == _url("recruitment:survey_edit", world, newest)
    # An open survey shows no button and refuses the post.
    services.survey_set_status(actor=pl, survey=newest, status="open")
    assert (
        "Vervolgmeting maken"
        not in client.get(_url("recruitment:survey_edit", world, newest)).content.decode()
    )
    client.post(_url("recruitment:survey_edit", world, newest), {"follow_up": "1"})
    assert not Survey.objects.filter(baseline=newest).exists()


def test_another_clients_survey_is_not_found(client, world, other_world, baseline):
    client.force_login(other_world.users[Role.PROJECT_LEADER])
    assert (
        client.post(
            _url("recruitment:survey_edit", world, baseline), {"follow_up": "1"}
        ).status_code
        == 404
    )
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert (
        client.post(
            _url("recruitment:survey_edit", world, baseline), {"follow_up": "1"}
        ).status_code
        == 403
    )
    assert not Survey.objects.filter(baseline=baseline).exists()


def test_report_pdf_of_a_follow_up_shows_the_comparison(world, baseline, follow_up, tmp_path):
    document = Document(
        organisation=follow_up.organisation,
        programme=follow_up.programme,
        kind="survey_report",
        ref=str(follow_up.pk),
    )
    template, context, language = document_kind("survey_report").builder(document)
    html = render_html(template=template, context=context, language=language)
    assert "vergeleken met de nulmeting" in html and "-16,7" in html
    assert render_pdf(template=template, context=context, language=language).startswith(b"%PDF")
    # The baseline's own report has no comparison.
    document.ref = str(baseline.pk)
    template, context, language = document_kind("survey_report").builder(document)
    assert "vergeleken met de nulmeting" not in render_html(template=template, context=context)


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


def test_queries_do_not_grow_with_surveys_or_responses(world, baseline, follow_up):
    pl = world.users[Role.PROJECT_LEADER]
    programme = baseline.programme
    few = _count(lambda: selectors.survey_comparisons_for(programme=programme))
    # Two more follow-ups, many more responses.
    for source in (follow_up, baseline):
        extra = services.survey_follow_up_create(actor=pl, survey=source)
        services.survey_set_status(actor=pl, survey=extra, status="open")
        q = _by_kind(extra)
        for i in range(30):
            services.survey_respond(
                survey=extra,
                answers={
                    q["safety"].pk: 1 + i % 5,
                    q["problems"].pk: ["Zwerfvuil"],
                    q["text"].pk: "x",
                },
                channel="online",
            )
    assert len(selectors.survey_comparisons_for(programme=programme)) == 3
    assert _count(lambda: selectors.survey_comparisons_for(programme=programme)) == few == 4
    one = _count(lambda: selectors.survey_comparison(survey=follow_up))
    assert one == 3


def test_follow_up_results_page_queries_do_not_grow(client, world, baseline, follow_up):
    pl = world.users[Role.PROJECT_LEADER]
    client.force_login(pl)
    url = _url("recruitment:survey_results", world, follow_up)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    q = _by_kind(follow_up)
    for survey in (baseline, follow_up):
        for i in range(25):
            services.survey_respond(
                survey=survey,
                answers={
                    _by_kind(survey)["safety"].pk: 1 + i % 5,
                    _by_kind(survey)["problems"].pk: ["Zwerfvuil", "Overlast"][: 1 + i % 2],
                },
                channel="paper",
                entered_by=pl,
            )
    assert q["safety"].answers.count() == 27
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)

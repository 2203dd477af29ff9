"""The neighbourhood survey: template, answers online and on paper, results, prospects."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes.permissions import Role
from recruitment import selectors, services
from recruitment.models import Application


@pytest.fixture
def survey(team, world):
    survey = services.survey_create(
        actor=world.users[Role.PROJECT_LEADER], programme=team[0], title="Buurtonderzoek Noord"
    )
    return survey


def _questions(survey):
    return {q.kind + str(i): q for i, q in enumerate(survey.questions.all())}


def _form(survey, **overrides):
    qs = list(survey.questions.all())
    data = {}
    for q in qs:
        if q.kind == "single":
            data[f"q_{q.pk}"] = "Af en toe"
        elif q.kind == "multiple":
            data[f"q_{q.pk}"] = ["Zwerfvuil", "Grofvuil"]
        elif q.kind == "scale":
            data[f"q_{q.pk}"] = "4"
        elif q.kind == "yesno":
            data[f"q_{q.pk}"] = "ja"
        else:
            data[f"q_{q.pk}"] = "Gezellige buren"
    data.update(overrides)
    return data


def test_template_has_the_standard_questions(survey):
    kinds = [q.kind for q in survey.questions.all()]
    assert {"single", "multiple", "scale", "text", "yesno"} <= set(kinds)
    assert survey.questions.filter(asks_to_join=True).count() == 1


def test_answered_twice_online_and_once_on_paper(client, world, survey):
    pl = world.users[Role.PROJECT_LEADER]
    services.survey_set_status(actor=pl, survey=survey, status="open")
    url = reverse(
        "recruitment:survey_answer",
        kwargs={"org": world.client.slug, "public_id": survey.public_id},
    )
    assert "Buurtonderzoek Noord" in client.get(url).content.decode()
    single = survey.questions.get(kind="single")
    multiple = survey.questions.get(kind="multiple")
    scale = survey.questions.filter(kind="scale").first()
    assert client.post(url, _form(survey, street="Lindelaan")).status_code == 200
    client.post(
        url, _form(survey, street="Lindelaan", **{f"q_{single.pk}": "Veel", f"q_{scale.pk}": "2"})
    )
    client.force_login(pl)
    entry = reverse(
        "recruitment:survey_entry",
        kwargs={
            "org": world.client.slug,
            "programme_pk": survey.programme_id,
            "survey_pk": survey.pk,
        },
    )
    assert (
        client.post(
            entry,
            _form(
                survey, channel="paper", street="Dorpsstraat", **{f"q_{multiple.pk}": ["Overlast"]}
            ),
        ).status_code
        == 302
    )
    results = selectors.survey_counts(survey=survey)
    assert results["total"] == 3
    assert dict(results["by_channel"]) == {"Online": 2, "Op papier": 1}
    assert dict(results["by_street"]) == {"Lindelaan": 2, "Dorpsstraat": 1}
    by_question = {r.question.pk: r for r in results["questions"]}
    assert dict((label, n) for label, n, _ in by_question[single.pk].counts) == {
        "Veel": 1,
        "Af en toe": 2,
        "Weinig": 0,
        "Geen": 0,
    }
    assert dict((label, n) for label, n, _ in by_question[multiple.pk].counts)["Zwerfvuil"] == 2
    assert dict((label, n) for label, n, _ in by_question[multiple.pk].counts)["Overlast"] == 1
    assert by_question[scale.pk].average == pytest.approx(3.3)
    page = client.get(
        reverse(
            "recruitment:survey_results",
            kwargs={
                "org": world.client.slug,
                "programme_pk": survey.programme_id,
                "survey_pk": survey.pk,
            },
        )
    ).content.decode()
    assert "3 reacties" in page and "Dorpsstraat" in page
    csv = client.get(
        reverse(
            "recruitment:survey_csv",
            kwargs={
                "org": world.client.slug,
                "programme_pk": survey.programme_id,
                "survey_pk": survey.pk,
            },
        )
    )
    assert csv.streaming  # a large survey is not held in memory
    rows = b"".join(csv.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 4 and "Op papier" in rows[-1]
    assert 'filename="buurtonderzoek-resultaten-' in csv["Content-Disposition"]
    # Times in the export are Dutch local times, like on screen.
    first = survey.responses.order_by("created_at").first()
    assert rows[1].startswith(f"{timezone.localtime(first.created_at):%Y-%m-%d %H:%M};")


def test_bad_answers_keep_input(client, world, survey):
    services.survey_set_status(actor=None, survey=survey, status="open")
    scale = survey.questions.filter(kind="scale").first()
    url = reverse(
        "recruitment:survey_answer",
        kwargs={"org": world.client.slug, "public_id": survey.public_id},
    )
    response = client.post(
        url, _form(survey, **{f"q_{scale.pk}": "9"}, contact_consent="on", contact_name="Ans")
    )
    page = response.content.decode()
    assert "Selecteer een geldige keuze" in page
    assert "Geef een e-mailadres of telefoonnummer" in page and 'value="Ans"' in page
    assert survey.responses.count() == 0


def test_closed_survey_says_so(client, world, survey):
    services.survey_set_status(actor=None, survey=survey, status="open")
    services.survey_set_status(actor=None, survey=survey, status="closed")
    url = reverse(
        "recruitment:survey_answer",
        kwargs={"org": world.client.slug, "public_id": survey.public_id},
    )
    assert "Dit onderzoek is gesloten" in client.get(url).content.decode()
    client.post(url, _form(survey))
    assert survey.responses.count() == 0
    with pytest.raises(ValidationError):
        services.survey_respond(survey=survey, answers={}, channel="online")
    # Paper answers can still be entered after closing.
    services.survey_respond(survey=survey, answers={}, channel="paper", street="Laan")
    assert survey.responses.count() == 1


def test_draft_survey_link_is_not_found(client, world, survey):
    url = reverse(
        "recruitment:survey_answer",
        kwargs={"org": world.client.slug, "public_id": survey.public_id},
    )
    assert client.get(url).status_code == 404
    assert (
        client.get(
            reverse(
                "recruitment:survey_answer", kwargs={"org": world.client.slug, "public_id": "abc"}
            )
        ).status_code
        == 404
    )


def test_prospect_becomes_applicant_with_consent(client, world, survey):
    services.survey_set_status(actor=None, survey=survey, status="open")
    join = survey.questions.get(asks_to_join=True)
    answers = {join.pk: "ja"}
    yes = services.survey_respond(
        survey=survey,
        answers=answers,
        channel="online",
        street="Lindelaan",
        contact={"consent": True, "name": "Kees", "email": "kees@example.org"},
    )
    services.survey_respond(
        survey=survey,
        answers=answers,
        channel="online",
        contact={"consent": False, "name": "Anoniem", "email": "anon@example.org"},
    )
    services.survey_respond(
        survey=survey,
        answers={join.pk: "nee"},
        channel="online",
        contact={"consent": True, "name": "Nee", "email": "nee@example.org"},
    )
    assert list(selectors.survey_prospects(survey=survey)) == [yes]
    application = services.prospect_convert(actor=world.users[Role.PROJECT_LEADER], response=yes)
    assert (
        application.source == Application.Source.SURVEY and application.email == "kees@example.org"
    )
    assert (
        application.consent_text == yes.contact_consent_text
        and application.consent_at == yes.contact_consent_at
    )
    assert (
        "contact met mij opnemen" in application.consent_text
        or "contact" in application.consent_text
    )
    with pytest.raises(ValidationError):
        services.prospect_convert(actor=None, response=yes)


def test_questions_edit_only_as_draft(survey):
    with pytest.raises(ValidationError):
        services.question_add(
            actor=None, survey=survey, kind="single", text="Kleur?", options=["Rood"]
        )
    q = services.question_add(
        actor=None, survey=survey, kind="single", text="Kleur?", options=["Rood", "Blauw", " "]
    )
    assert q.options == ["Rood", "Blauw"]
    services.survey_set_status(actor=None, survey=survey, status="open")
    with pytest.raises(ValidationError):
        services.question_remove(actor=None, question=q)
    with pytest.raises(ValidationError):
        services.survey_set_status(actor=None, survey=survey, status="draft")


def test_csv_cells_cannot_run_formulas():
    from recruitment.survey_views import _csv

    assert (
        _csv("=HYPERLINK(1)") == "'=HYPERLINK(1)"
        and _csv(["a", "b"]) == "a, b"
        and _csv(None) == ""
    )


def test_results_page_writes_what_people_typed_as_text(client, world, survey):
    """The results are written in Python (recruitment.survey_rows): a question, an option,
    an open answer and a street with markup show as text; the scale's average is written
    as the locale writes a number."""
    leader = world.users[Role.PROJECT_LEADER]
    markup = '<b>"x" & y</b>'
    services.question_add(actor=leader, survey=survey, kind="text", text=f"Vraag {markup}")
    services.question_add(
        actor=leader, survey=survey, kind="single", text="Kies", options=[markup, "Ander"]
    )
    services.survey_set_status(actor=leader, survey=survey, status="open")
    qs = {q.text: q for q in survey.questions.all()}
    scale = next(q for q in qs.values() if q.kind == "scale")
    for value in ("3", "4"):
        services.survey_respond(
            survey=survey,
            answers={
                qs[f"Vraag {markup}"].pk: f"Antwoord {markup}",
                qs["Kies"].pk: markup,
                scale.pk: value,
            },
            channel="paper",
            entered_by=leader,
            street=f"Laan {markup}",
        )
    client.force_login(leader)
    url = reverse(
        "recruitment:survey_results",
        kwargs={
            "org": world.client.slug,
            "programme_pk": survey.programme_id,
            "survey_pk": survey.pk,
        },
    )
    page = client.get(url).content.decode()
    escaped = "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"
    assert markup not in page
    assert f"Vraag {escaped}</h3>" in page and f"<li>Antwoord {escaped}</li>" in page
    assert f'<th scope="row" class="fw-normal">{escaped}</th>' in page
    assert f"<td>Laan {escaped}</td>" in page
    assert "Gemiddelde: 3,5</p>" in page
    assert '<span class="badge text-bg-light border">Op papier: 2</span>' in page

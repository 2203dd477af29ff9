"""The rows that are written in Python rather than by a template loop (the selection's
applications, the survey's prospects, the portal's signals) escape what people typed, as the
template would: markup in a name, a motivation, a street or a description shows as text and
never becomes a tag."""

from django.urls import reverse

from programmes.permissions import Role
from tests.builders import candidate, report_signal

MARKUP = '<b id="x">vet</b><script>alert(1)</script>"\'&'
ESCAPED = "&lt;b id=&quot;x&quot;&gt;vet&lt;/b&gt;&lt;script&gt;"


def _shows_as_text(page: str) -> None:
    assert "<script>alert(1)</script>" not in page
    assert '<b id="x">' not in page
    assert ESCAPED in page


def test_selection_rows_escape_the_applicant(client, world, team):
    from recruitment import services  # noqa: PLC0415 - only this test opens a campaign

    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    candidate(world, programme, stage="interview", name=f"Piet {MARKUP}", motivation=MARKUP)
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "recruitment:programme_selection",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    response = client.get(url)
    assert response.status_code == 200
    _shows_as_text(response.content.decode())


def test_portal_signal_rows_escape_the_description(client, world, team):
    report_signal(team, description=MARKUP)
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.get(reverse("patrols:portal_signals", kwargs={"org": world.client.slug}))
    assert response.status_code == 200
    _shows_as_text(response.content.decode())


def test_survey_prospect_rows_escape_the_respondent(client, world, team):
    from recruitment import services  # noqa: PLC0415 - only this test answers a survey

    leader = world.users[Role.PROJECT_LEADER]
    survey = services.survey_create(actor=leader, programme=team[0], title="Buurt")
    services.survey_set_status(actor=leader, survey=survey, status="open")
    join = survey.questions.get(asks_to_join=True)
    services.survey_respond(
        survey=survey,
        answers={join.pk: "ja"},
        channel="paper",
        entered_by=leader,
        street=MARKUP,
        contact={"consent": True, "name": f"Kees {MARKUP}", "email": "kees@example.org"},
    )
    client.force_login(leader)
    url = reverse(
        "recruitment:survey_results",
        kwargs={"org": world.client.slug, "programme_pk": team[0].pk, "survey_pk": survey.pk},
    )
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    _shows_as_text(page)
    assert page.count(ESCAPED) == 3  # the name, the street, and the street among the counts

"""Recruitment's writes that leave an audit entry now: the retention sweep, door-to-door,
the survey's questions and responses, the campaign's changes, and a team place taken back by
an undone decision."""

import datetime as dt

import pytest
from django.utils import timezone

from programmes.models import AuditEntry, TeamMember
from programmes.permissions import Role
from recruitment import services
from recruitment.models import Application, ApplicationEvent, DoorVisit, SurveyResponse
from recruitment.workflow import Stage

from ..builders import APPLICANT, candidate
from ..factories import UserFactory


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("created_at", "id"))


@pytest.fixture
def survey(team, world):
    return services.survey_create(
        actor=world.users[Role.PROJECT_LEADER], programme=team[0], title="Buurtonderzoek"
    )


def test_retention_sweep_leaves_counts_per_kind_by_the_system(world, team):
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    old = candidate(world, programme, stage=Stage.INTERVIEW)
    other = services.application_submit(programme=programme, **{**APPLICANT, "name": "Jan"})
    fresh = services.application_submit(programme=programme, **{**APPLICANT, "name": "Kees"})
    steps = ApplicationEvent.objects.filter(application__in=[old, other]).count()
    Application.objects.filter(pk__in=[old.pk, other.pk]).update(
        keep_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert services.applications_delete_expired() == 2 + steps
    assert list(Application.objects.values_list("pk", flat=True)) == [fresh.pk]
    (entry,) = _entries("retention.applications_deleted")
    assert entry.actor is None and entry.actor_name == ""
    assert entry.object_type == "programmes.programme" and entry.object_id == str(programme.pk)
    assert entry.data["deleted"] == {
        "applications": 2,
        "history_steps": steps,
        "survey_responses_unlinked": 0,
    }
    assert "Piet" not in str(entry.data) and "Piet" not in entry.object_repr
    assert services.applications_delete_expired() == 0  # nothing left: no empty entry
    assert len(_entries("retention.applications_deleted")) == 1


def test_retention_sweep_counts_unlinked_survey_answers(world, team, survey):
    services.survey_set_status(actor=None, survey=survey, status="open")
    response = services.survey_respond(
        survey=survey,
        answers={},
        channel=SurveyResponse.Channel.ONLINE,
        street="Laan",
        contact={"consent": True, "name": "Els", "email": "els@example.org"},
    )
    application = services.prospect_convert(actor=None, response=response)
    Application.objects.filter(pk=application.pk).update(
        keep_until=timezone.localdate() - dt.timedelta(days=1)
    )
    services.applications_delete_expired()
    (entry,) = _entries("retention.applications_deleted")
    assert entry.data["deleted"]["survey_responses_unlinked"] == 1
    response.refresh_from_db()
    assert response.application_id is None


def test_door_visits_are_audited(world, team):
    leader = world.users[Role.PROJECT_LEADER]
    for outcome in (DoorVisit.Outcome.NOT_HOME, DoorVisit.Outcome.INTERESTED):
        visit = services.door_visit_log(
            actor=leader,
            programme=team[0],
            street="Laan",
            house_number="1a",
            outcome=outcome,
        )
    (first,) = _entries("door.visited")
    (again,) = _entries("door.visited_again")
    assert first.actor == leader and again.actor == leader
    assert first.object_id == again.object_id == str(visit.pk)
    assert again.data == {"outcome": DoorVisit.Outcome.INTERESTED}


def test_survey_questions_are_audited(world, survey):
    leader = world.users[Role.PROJECT_LEADER]
    question = services.question_add(
        actor=leader, survey=survey, kind="text", text="Wat mis je in de buurt?"
    )
    services.question_remove(actor=leader, question=question)
    (added,) = _entries("survey.question_added")
    (removed,) = _entries("survey.question_removed")
    assert added.actor == leader and removed.actor == leader
    assert added.object_id == removed.object_id == str(survey.pk)
    assert removed.data["text"] == "Wat mis je in de buurt?"


def test_survey_responses_are_audited_by_who_entered_them(world, survey):
    leader = world.users[Role.PROJECT_LEADER]
    services.survey_set_status(actor=leader, survey=survey, status="open")
    services.survey_respond(survey=survey, answers={}, channel=SurveyResponse.Channel.ONLINE)
    services.survey_respond(
        survey=survey, answers={}, channel=SurveyResponse.Channel.PAPER, entered_by=leader
    )
    online, paper = _entries("survey.response_received")
    assert online.actor is None and online.data["channel"] == "online"
    assert paper.actor == leader and paper.data["channel"] == "paper"
    assert online.data["contact"] is False


def test_campaign_saved_lists_what_changed_and_unchanged_records_nothing(world, team):
    leader = world.users[Role.PROJECT_LEADER]
    services.campaign_save(actor=leader, programme=team[0], is_open=True, headline="Doe mee")
    services.campaign_save(actor=leader, programme=team[0], is_open=True, headline="Doe mee")
    (entry,) = _entries("campaign.saved")
    assert entry.actor == leader and sorted(entry.data["fields"]) == ["headline", "is_open"]


def test_proposal_advice_and_decision_reason_go_with_the_step(world, team):
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    application = candidate(world, programme, advice="Aanrader")
    assert application.advice == "Aanrader"
    staff = world.users[Role.CLIENT_STAFF]
    decided = services.application_decide(
        actor=staff, application=application, approve=False, reason="Te ver weg"
    )
    assert decided.client_reason == "Te ver weg" and decided.stage == Stage.NOT_SELECTED
    (entry,) = _entries("application.not_selected")
    assert entry.actor == staff and entry.data == {"from": Stage.PROPOSED}


def test_undone_approval_takes_the_team_place_back_in_the_audit_log(
    world, team, settings, django_capture_on_commit_callbacks
):
    settings.DECISION_UNDO_SECONDS = 300
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    proposed = candidate(world, programme)
    UserFactory(email="piet@example.org", role=Role.TEAM_MEMBER, organisation=world.client)
    staff = world.users[Role.CLIENT_STAFF]
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(actor=staff, application=proposed, approve=True, reason="Ja")
    services.application_decision_undo(actor=staff, application=proposed)
    member = TeamMember.objects.get(programme=programme, user__email="piet@example.org")
    assert not member.is_active
    (removed,) = _entries("team.member_removed")
    assert removed.actor == staff and removed.object_id == str(member.pk)
    (undone,) = _entries("application.decision_undone")
    assert undone.data == {"from": Stage.SELECTED}
    proposed.refresh_from_db()
    assert proposed.stage == Stage.PROPOSED and proposed.client_reason == ""

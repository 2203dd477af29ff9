"""The programme's phase follows what happened: a team on the roster, trained members,
certificates, a kickoff held, rounds walked. Each event is recorded once, ticks the plan's
milestones that stand for it and moves the current phase on."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.models import AuditEntry, Milestone, Phase, Progress, ProgressEvent
from programmes.permissions import Role
from programmes.selectors import programme_overview, programme_status


@pytest.fixture
def planned(world, programme, unscoped):
    services.plan_generate(actor=None, programme=programme)
    return programme


def _done_keys(programme):
    return set(
        Milestone.objects.filter(programme=programme, done_at__isnull=False).values_list(
            "key", flat=True
        )
    )


def test_a_fresh_plan_is_in_preparation(planned):
    assert programme_status(planned).phase == Phase.PREPARATION
    assert not _done_keys(planned)


def test_a_member_on_the_roster_means_the_team_is_selected(world, planned):
    pl = world.users[Role.PROJECT_LEADER]
    services.team_member_add(actor=pl, programme=planned, user=world.users[Role.TEAM_MEMBER])
    status = programme_status(planned)
    assert status.phase == Phase.TRAINING
    assert _done_keys(planned) == {Progress.TEAM_SELECTED}
    selected = Milestone.objects.get(programme=planned, key=Progress.TEAM_SELECTED)
    assert selected.done_by == pl
    # Again (a second member, or the same again): one event, nothing ticked twice.
    services.team_member_add(actor=pl, programme=planned, user=world.users[Role.TEAM_MEMBER])
    assert ProgressEvent.objects.filter(programme=planned).count() == 1
    assert (
        AuditEntry.objects.filter(
            action="milestone.done", object_id=str(selected.pk), organisation=world.client
        ).count()
        == 1
    )
    assert programme_overview([planned])[planned.pk].phase == Phase.TRAINING


def test_a_member_ready_after_the_track_means_the_team_is_trained(world, planned):
    member = services.team_member_add(
        actor=None, programme=planned, user=world.users[Role.TEAM_MEMBER]
    )
    services.team_member_set_ready(actor=None, member=member, ready=True)
    assert programme_status(planned).phase == Phase.KICKOFF
    assert _done_keys(planned) == {
        Progress.TEAM_SELECTED,
        Progress.TEAM_TRAINED,
        Progress.CERTIFICATES_ISSUED,
    }
    training = Milestone.objects.filter(programme=planned, phase=Phase.TRAINING)
    assert training.count() == 3 and all(m.is_done for m in training)


def test_an_override_is_not_a_trained_team(world, planned):
    member = services.team_member_add(
        actor=None, programme=planned, user=world.users[Role.TEAM_MEMBER]
    )
    services.team_member_set_ready(
        actor=world.users[Role.PROJECT_LEADER],
        member=member,
        ready=True,
        reason="Liep al rondes in een ander team",
    )
    assert not ProgressEvent.objects.filter(event=Progress.TEAM_TRAINED).exists()
    assert programme_status(planned).phase == Phase.TRAINING


def _kickoff(world, programme, start):
    meeting = services.meeting_create(
        actor=None,
        programme=programme,
        kind="kickoff",
        title="Feestelijke aftrap",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Buurthuis",
    )
    return services.invitee_add(
        actor=None, meeting=meeting, name="Bewoner", email="bewoner@example.org"
    )


def test_a_kickoff_in_the_past_with_attendance_is_held(world, planned, mailoutbox):
    future = _kickoff(world, planned, timezone.now() + dt.timedelta(days=3))
    services.invitee_set_attended(actor=None, invitee=future, attended=True)
    assert not ProgressEvent.objects.filter(programme=planned).exists()

    start = timezone.now() - dt.timedelta(hours=3)
    held = _kickoff(world, planned, start)
    services.invitee_set_attended(actor=None, invitee=held, attended=False)
    assert not ProgressEvent.objects.filter(programme=planned).exists()
    services.invitee_set_attended(actor=None, invitee=held, attended=True)
    event = ProgressEvent.objects.get(programme=planned)
    assert event.event == Progress.KICKOFF_HELD and event.reached_at == start
    kickoff = Milestone.objects.get(programme=planned, key=Progress.KICKOFF_HELD)
    assert kickoff.done_at == start
    assert programme_status(planned).phase == Phase.INTRODUCTION
    services.invitee_set_attended(actor=None, invitee=held, attended=True)
    assert ProgressEvent.objects.filter(programme=planned).count() == 1


def test_a_round_walked_moves_the_phase_on(world, team):
    from patrols import services as patrols

    programme, member, _categories = team
    services.plan_generate(actor=None, programme=programme)
    started = timezone.now() - dt.timedelta(hours=1)
    for _ in range(2):
        patrols.round_start(
            actor=member, programme=programme, uuid=uuid.uuid4(), started_at=started
        )
    event = ProgressEvent.objects.get(programme=programme, event=Progress.ROUNDS_WALKED)
    assert event.reached_at == started
    assert programme_status(programme).phase == Phase.INTRODUCTION


def test_certificates_issued_tick_the_workshop(world, team):
    from trainings import services as trainings
    from trainings.models import Certificate, Training

    programme, member, _categories = team
    services.plan_generate(actor=None, programme=programme)
    start = timezone.now() + dt.timedelta(days=3)
    track = trainings.track_create(
        actor=None,
        programme=programme,
        starts={
            Training.Kind.INTRODUCTION: start,
            Training.Kind.WORKSHOP: start + dt.timedelta(days=7),
            Training.Kind.INSTRUCTION: start + dt.timedelta(days=14),
        },
        location="Buurthuis",
    )
    workshop = next(t for t in track if t.kind == Training.Kind.WORKSHOP)
    trainings.assessment_record(actor=None, training=workshop, user=member, passed=True, note="")
    assert Certificate.objects.filter(programme=programme).exists()
    assert ProgressEvent.objects.filter(
        programme=programme, event=Progress.CERTIFICATES_ISSUED
    ).exists()
    assert Milestone.objects.get(programme=programme, key=Progress.CERTIFICATES_ISSUED).is_done


def test_unknown_event_is_refused(planned):
    with pytest.raises(ValueError):
        services.programme_progress_record(programme=planned, event="moon_landing")


def test_a_programme_without_a_plan_still_moves_on(world, programme, unscoped):
    services.programme_progress_record(programme=programme, event=Progress.KICKOFF_HELD)
    assert programme_status(programme).phase == Phase.INTRODUCTION
    assert programme_overview([programme])[programme.pk].phase == Phase.INTRODUCTION


def test_a_template_keeps_its_keys_when_saved(client, world, unscoped):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    client.force_login(admin)
    page = client.get(reverse("plan_template")).content.decode()
    from .test_intake import rendered_form

    data = rendered_form(page, "rows-TOTAL_FORMS")
    assert client.post(reverse("plan_template"), data).status_code == 302
    from programmes.models import TemplateMilestone

    keys = set(
        TemplateMilestone.objects.filter(organisation=world.consultancy).values_list(
            "key", flat=True
        )
    )
    assert {Progress.INTAKE_COMPLETED, Progress.TEAM_SELECTED, Progress.KICKOFF_HELD} <= keys


def test_the_workspace_shows_the_phase_reached(client, world, planned):
    services.team_member_add(actor=None, programme=planned, user=world.users[Role.TEAM_MEMBER])
    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(reverse("workspace")).content.decode()
    assert "<td>Trainingstraject</td>" in page
    detail = client.get(
        reverse("programme_detail", kwargs={"org": world.client.slug, "programme_pk": planned.pk})
    ).content.decode()
    assert '<dd class="col-sm-8">Trainingstraject</dd>' in detail

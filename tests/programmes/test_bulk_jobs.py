"""Bulk actions run as a `BulkJob` in the background: inviting a team of a thousand answers
the request at once (the task makes the invitations, chunk by chunk, with progress), a chunk
run again invites nobody twice, a stuck job is swept until it ends, and the status is the
programme's own (another tenant's job is a 404)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import BulkJob, Invitee, OutboxMessage, TeamMember, User
from programmes.permissions import Role
from programmes.services import bulk
from trainings import services as trainings
from trainings.models import Training

TEAM_SIZE = 1000
# The other tests need a few chunks, not a thousand invitations.
SMALL_SIZE = 250


def _track(programme):
    start = timezone.now() + dt.timedelta(days=3)
    made = trainings.track_create(
        actor=None,
        programme=programme,
        location="Buurthuis",
        starts={k: start + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)},
    )
    return made[0]


def _big_team(world, programme, size=TEAM_SIZE):
    users = User.objects.bulk_create(
        User(
            email=f"lid{i}@example.org",
            name=f"Lid {i:04}",
            role=Role.TEAM_MEMBER,
            organisation=world.client,
        )
        for i in range(size)
    )
    TeamMember.objects.bulk_create(
        TeamMember(organisation=world.client, programme=programme, user=user) for user in users
    )
    return users


@pytest.fixture
def big(world, team):
    programme = team[0]
    _big_team(world, programme)
    return programme, _track(programme)


@pytest.fixture
def medium(world, team):
    programme = team[0]
    _big_team(world, programme, SMALL_SIZE)
    return programme, _track(programme)


def _invite_url(world, programme):
    return reverse(
        "trainings:team_invite", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )


def _status_url(world, programme, job):
    return reverse(
        "bulk_job_status",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "job_pk": job.pk},
    )


def test_inviting_a_thousand_answers_at_once_and_the_task_invites(
    client,
    world,
    big,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    programme, training = big
    client.force_login(world.users[Role.PROJECT_LEADER])
    with (
        django_capture_on_commit_callbacks() as callbacks,
        django_assert_max_num_queries(30),
    ):
        response = client.post(
            _invite_url(world, programme), {"action": "invite", "training": training.pk}
        )
    assert response.status_code == 302
    # The request made no invitation and queued no mail: it stored the job.
    assert not Invitee.objects.filter(meeting=training.meeting).exists()
    assert not OutboxMessage.objects.exists()
    job = BulkJob.objects.get()
    assert (job.status, job.total, job.done) == (BulkJob.Status.PENDING, TEAM_SIZE + 1, 0)
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and 'aria-live="polite"' in page

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == (BulkJob.Status.DONE, TEAM_SIZE + 1, 0)
    assert job.finished_at is not None
    assert Invitee.objects.filter(meeting=training.meeting).count() == TEAM_SIZE + 1
    assert OutboxMessage.objects.count() == TEAM_SIZE + 1

    answer = client.get(_status_url(world, programme, job), {"format": "json"}).json()
    assert answer["status"] == "done" and answer["done"] == answer["total"] == TEAM_SIZE + 1
    fragment = client.get(_status_url(world, programme, job)).content.decode()
    assert "hx-get" not in fragment  # finished: it stops polling


def test_progress_moves_per_chunk_and_a_chunk_run_again_invites_nobody_twice(world, medium):
    programme, training = medium
    job = trainings.team_invite_start(actor=world.users[Role.PROJECT_LEADER], training=training)
    assert bulk.bulk_job_claim(job_id=job.pk) is not None
    assert bulk.bulk_job_chunk(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.position) == (BulkJob.Status.RUNNING, bulk.CHUNK_SIZE, 100)
    assert Invitee.objects.filter(meeting=training.meeting).count() == bulk.CHUNK_SIZE
    # A worker that died after its chunk's invitations but before the job moved on: run again.
    BulkJob.objects.filter(pk=job.pk).update(position=0, done=0)
    assert bulk.bulk_job_chunk(job_id=job.pk)
    assert Invitee.objects.filter(meeting=training.meeting).count() == bulk.CHUNK_SIZE
    assert OutboxMessage.objects.count() == bulk.CHUNK_SIZE
    assert bulk.bulk_job_process(job_id=job.pk) == BulkJob.Status.DONE
    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE
    assert Invitee.objects.filter(meeting=training.meeting).count() == SMALL_SIZE + 1


def test_a_stuck_job_is_swept_until_it_ends(world, medium, django_capture_on_commit_callbacks):
    programme, training = medium
    job = trainings.team_invite_start(actor=world.users[Role.PROJECT_LEADER], training=training)
    bulk.bulk_job_claim(job_id=job.pk)  # a worker took it and died
    later = timezone.now() + bulk.STALE_AFTER + dt.timedelta(minutes=1)
    assert bulk.bulk_requeue_stale(now=timezone.now()) == 0  # not stale yet
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk.bulk_requeue_stale(now=later) == 1
    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE and job.done == job.total

    stuck = trainings.team_invite_start(actor=None, training=training)
    BulkJob.objects.filter(pk=stuck.pk).update(
        status=BulkJob.Status.RUNNING, attempts=bulk.MAX_ATTEMPTS
    )
    assert bulk.bulk_requeue_stale(now=later) == 0
    stuck.refresh_from_db()
    assert stuck.status == BulkJob.Status.FAILED and stuck.error


def test_a_failing_chunk_fails_the_job_with_a_message(world, medium, monkeypatch):
    programme, training = medium
    job = trainings.team_invite_start(actor=None, training=training)

    def broken(job, items):
        raise RuntimeError("boom")

    from programmes import registry

    kind = registry.bulk_kind(trainings.TEAM_INVITE)
    monkeypatch.setitem(
        registry._bulk_kinds, kind.code, registry.BulkKind(kind.code, kind.label, broken)
    )
    assert bulk.bulk_job_process(job_id=job.pk) == BulkJob.Status.FAILED
    job.refresh_from_db()
    assert job.status == BulkJob.Status.FAILED and "boom" not in job.error and job.error


def test_a_job_takes_a_bounded_number_of_items(world, team):
    with pytest.raises(ValueError):
        bulk.bulk_job_start(
            actor=None,
            kind=trainings.TEAM_INVITE,
            programme=team[0],
            items=range(bulk.MAX_ITEMS + 1),
        )


def test_another_tenants_job_is_a_404(client, world, other_world, team, unscoped):
    pl = other_world.users[Role.PROJECT_LEADER]
    from programmes import services

    theirs = services.programme_create(
        actor=pl,
        client=other_world.client,
        project_leaders=[pl],
        name="Team Zuid",
        neighbourhood="Zuid",
        municipality="Zuidstad",
        start_date=dt.date(2026, 9, 7),
    )
    job = bulk.bulk_job_start(
        actor=pl, kind=trainings.TEAM_INVITE, programme=theirs, items=[], payload={"training": 0}
    )
    client.force_login(world.users[Role.PROJECT_LEADER])
    response = client.get(_status_url(world, team[0], job), {"format": "json"})
    assert response.status_code == 404

"""Issuing the certificates of a whole track at once: more than SYNC_MAX answers the request
at once (a `BulkJob` whose progress the track page shows), the task issues each member one
certificate with its PDF and mail, a chunk run again issues nobody a second one, a few are
issued in the request, and a member who cannot be certified is counted as failed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes.models import BulkJob, Document, Invitee, OutboxMessage, TeamMember, User
from programmes.permissions import Role
from programmes.services import bulk
from trainings import services
from trainings.models import Assessment, Certificate, Training

MANY = bulk.SYNC_MAX + 1


def _workshop(programme):
    start = timezone.now() - dt.timedelta(days=1)
    made = services.track_create(
        actor=None,
        programme=programme,
        location="Buurthuis",
        starts={k: start + dt.timedelta(hours=i * 3) for i, k in enumerate(Training.Kind.values)},
    )
    return next(t for t in made if t.kind == Training.Kind.WORKSHOP)


def _members_present(world, programme, workshop, n):
    """`n` more members on the team, each invited to the workshop and marked present."""
    users = User.objects.bulk_create(
        User(
            email=f"lid{i}@example.org",
            name=f"Lid {i:04}",
            role=Role.TEAM_MEMBER,
            organisation=world.client,
        )
        for i in range(n)
    )
    TeamMember.objects.bulk_create(
        TeamMember(organisation=world.client, programme=programme, user=user) for user in users
    )
    services.team_invite(actor=None, training=workshop)
    Invitee.objects.filter(meeting=workshop.meeting, user__in=users).update(attended=True)
    return users


@pytest.fixture
def workshop(team):
    return _workshop(team[0])


def _url(world, programme):
    return reverse(
        "trainings:certificates_issue",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )


def _status_url(world, programme, job):
    return reverse(
        "bulk_job_status",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "job_pk": job.pk},
    )


def test_a_track_of_many_answers_at_once_and_the_task_issues_each_one_with_its_pdf(
    client,
    world,
    team,
    workshop,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    programme = team[0]
    _members_present(world, programme, workshop, MANY)
    client.force_login(world.users[Role.PROJECT_LEADER])
    with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(30):
        response = client.post(_url(world, programme))
    assert response.status_code == 302
    assert not Certificate.objects.exists() and not Assessment.objects.exists()
    job = BulkJob.objects.get()
    assert (job.kind, job.status, job.total) == (
        services.CERTIFICATES_ISSUE,
        BulkJob.Status.PENDING,
        MANY,
    )
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and f"0 van {MANY} certificaten uitgereikt" in page

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == (BulkJob.Status.DONE, MANY, 0)
    certificates = Certificate.objects.filter(programme=programme)
    assert certificates.count() == certificates.values("user").distinct().count() == MANY
    assert Assessment.objects.filter(training=workshop, passed=True).count() == MANY
    assert Document.objects.filter(kind="certificate", status=Document.Status.READY).count() == MANY
    assert OutboxMessage.objects.filter(template="trainings/certificate").count() == MANY
    answer = client.get(_status_url(world, programme, job), {"format": "json"}).json()
    assert (answer["status"], answer["done"], answer["total"]) == ("done", MANY, MANY)
    assert answer["text"] == f"{MANY} van {MANY} certificaten uitgereikt"
    # Asked again: nobody is due any more, and the page says so.
    again = client.post(_url(world, programme), follow=True)
    assert "geen certificaten uit te reiken" in again.content.decode()
    assert BulkJob.objects.count() == 1


def test_a_chunk_run_again_issues_nobody_a_second_certificate(world, team, workshop):
    programme = team[0]
    _members_present(world, programme, workshop, 150)
    job = services.certificates_issue_start(actor=None, training=workshop)
    assert isinstance(job, BulkJob)
    bulk.bulk_job_claim(job_id=job.pk)
    assert bulk.bulk_job_chunk(job_id=job.pk)
    BulkJob.objects.filter(pk=job.pk).update(position=0, done=0)
    assert bulk.bulk_job_chunk(job_id=job.pk)
    assert Certificate.objects.count() == Document.objects.count() == bulk.CHUNK_SIZE
    assert bulk.bulk_job_process(job_id=job.pk) == BulkJob.Status.DONE
    assert Certificate.objects.count() == Document.objects.count() == 150


def test_a_few_are_issued_in_the_request_to_whoever_is_due(world, team, workshop):
    programme, member, _ = team
    passed, present, failed = _members_present(world, programme, workshop, 3)
    Assessment.objects.create(
        organisation=world.client, training=workshop, user=passed, passed=True
    )  # passed before certificates were issued
    services.assessment_record(actor=None, training=workshop, user=failed, passed=False)
    assert sorted(services.certificates_due(training=workshop)) == sorted([passed.pk, present.pk])
    assert services.certificates_issue_start(actor=None, training=workshop) == 2
    assert set(Certificate.objects.values_list("user", flat=True)) == {passed.pk, present.pk}
    assert not BulkJob.objects.exists()
    with pytest.raises(ValidationError):
        services.certificates_issue_start(actor=None, training=workshop)


def test_a_member_who_left_the_team_is_counted_as_failed(client, world, team, workshop):
    programme = team[0]
    users = _members_present(world, programme, workshop, MANY)
    job = services.certificates_issue_start(actor=None, training=workshop)
    TeamMember.objects.filter(user=users[0]).delete()
    assert bulk.bulk_job_process(job_id=job.pk) == BulkJob.Status.DONE
    job.refresh_from_db()
    assert (job.done, job.failed) == (MANY - 1, 1)
    client.force_login(world.users[Role.PROJECT_LEADER])
    assert "1 mislukt" in client.get(_status_url(world, programme, job)).content.decode()

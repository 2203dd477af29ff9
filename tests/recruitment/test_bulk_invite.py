"""Inviting a thousand applicants to the information meeting: the request answers at once
(a `BulkJob` whose progress the selection page shows), the task invites each address once
and moves each applicant to "invited", a chunk run again invites nobody twice, and a full
meeting is still refused in the request."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes import services as base
from programmes.models import BulkJob, Invitee, OutboxMessage
from programmes.permissions import Role
from programmes.services import bulk
from recruitment import services
from recruitment.models import Application
from recruitment.workflow import Stage

MANY = 1000


def _invitations():
    return OutboxMessage.objects.filter(template="programmes/meeting_invitation")


@pytest.fixture
def programme(team):
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    return programme


@pytest.fixture
def pl(world):
    return world.users[Role.PROJECT_LEADER]


@pytest.fixture
def meeting(programme, pl):
    start = timezone.now() + dt.timedelta(days=7)
    return base.meeting_create(
        actor=pl,
        programme=programme,
        kind="information",
        title="Informatieavond",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Buurthuis",
    )


def _applicants(programme, n):
    first = services.application_submit(
        programme=programme,
        consent="ja",
        name="Aanmelder 0",
        email="a0@example.org",
        street="Lindelaan",
        house_number="1",
        postcode="3031 AB",
        motivation="Ik wil meedoen.",
    )
    copies = []
    for i in range(1, n):
        copy = Application.objects.get(pk=first.pk)
        copy.pk = None
        copy.name, copy.email, copy.house_number = f"Aanmelder {i}", f"a{i}@example.org", str(i)
        copies.append(copy)
    Application.objects.bulk_create(copies)


def _url(world, programme):
    return reverse(
        "recruitment:programme_selection",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )


def _status_url(world, programme, job):
    return reverse(
        "bulk_job_status",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "job_pk": job.pk},
    )


def test_inviting_a_thousand_applicants_answers_at_once_and_the_task_invites_each_once(
    client,
    world,
    programme,
    pl,
    meeting,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    _applicants(programme, MANY)
    client.force_login(pl)
    with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(30):
        response = client.post(_url(world, programme), {"invite_meeting": meeting.pk})
    assert response.status_code == 302
    assert not Invitee.objects.filter(meeting=meeting).exists()
    assert not _invitations().exists()
    job = BulkJob.objects.get()
    assert (job.kind, job.status, job.total) == (
        services.APPLICANTS_INVITE,
        BulkJob.Status.PENDING,
        MANY,
    )
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and f"0 van {MANY}" in page and "worden verstuurd" in page

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == (BulkJob.Status.DONE, MANY, 0)
    assert Invitee.objects.filter(meeting=meeting).count() == MANY
    assert _invitations().values("to_email").distinct().count() == MANY
    assert _invitations().count() == MANY
    assert not Application.objects.filter(stage=Stage.APPLIED).exists()
    answer = client.get(_status_url(world, programme, job), {"format": "json"}).json()
    assert (answer["status"], answer["done"], answer["total"]) == ("done", MANY, MANY)
    # The meeting's own page shows the same job.
    meeting_page = client.get(
        reverse(
            "meeting_detail",
            kwargs={
                "org": world.client.slug,
                "programme_pk": programme.pk,
                "meeting_pk": meeting.pk,
            },
        )
    ).content.decode()
    assert f"{MANY} van {MANY}" in meeting_page


def test_a_chunk_run_again_invites_nobody_twice(programme, pl, meeting):
    _applicants(programme, 250)
    job = services.applicants_invite_start(
        actor=pl, meeting=meeting, applications=Application.objects.all()
    )
    assert isinstance(job, BulkJob)
    bulk.bulk_job_claim(job_id=job.pk)
    assert bulk.bulk_job_chunk(job_id=job.pk)
    BulkJob.objects.filter(pk=job.pk).update(position=0, done=0)
    assert bulk.bulk_job_chunk(job_id=job.pk)
    assert Invitee.objects.count() == _invitations().count() == bulk.CHUNK_SIZE
    assert Application.objects.filter(stage=Stage.INVITED).count() == bulk.CHUNK_SIZE
    assert bulk.bulk_job_process(job_id=job.pk) == BulkJob.Status.DONE
    assert Invitee.objects.count() == _invitations().count() == 250
    # Asked again: a new job, which finds everybody invited.
    again = services.applicants_invite_start(
        actor=pl, meeting=meeting, applications=Application.objects.all()
    )
    assert bulk.bulk_job_process(job_id=again.pk) == BulkJob.Status.DONE
    assert Invitee.objects.count() == _invitations().count() == 250


def test_a_few_applicants_are_invited_in_the_request(programme, pl, meeting):
    _applicants(programme, bulk.SYNC_MAX)
    result = services.applicants_invite_start(
        actor=pl, meeting=meeting, applications=Application.objects.all()
    )
    assert isinstance(result, services.InviteResult) and result.invited == bulk.SYNC_MAX
    assert not BulkJob.objects.exists()


def test_a_full_meeting_is_refused_in_the_request(client, world, programme, pl, meeting):
    _applicants(programme, bulk.SYNC_MAX + 1)
    meeting.capacity = 0
    meeting.save(update_fields=["capacity"])
    client.force_login(pl)
    response = client.post(_url(world, programme), {"invite_meeting": meeting.pk}, follow=True)
    assert "is vol" in response.content.decode()
    assert not BulkJob.objects.exists() and not Invitee.objects.exists()

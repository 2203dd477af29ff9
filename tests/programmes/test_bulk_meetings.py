"""Inviting many people to a meeting at once: a list of a thousand answers the request at
once (the work is a `BulkJob` whose progress the meeting's page shows), the task invites each
address once, a chunk run again invites nobody twice, a short list stays in the request and a
person who cannot be invited is counted as failed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.models import BulkJob, Invitee, OutboxMessage
from programmes.permissions import Role
from programmes.services import bulk

MANY = 1000


@pytest.fixture
def meeting(world, programme, unscoped):
    start = timezone.now() + dt.timedelta(days=7)
    return services.meeting_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        kind="information",
        title="Informatiebijeenkomst",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Buurthuis De Linde",
    )


def _url(world, meeting):
    return reverse(
        "meeting_detail",
        kwargs={
            "org": world.client.slug,
            "programme_pk": meeting.programme_id,
            "meeting_pk": meeting.pk,
        },
    )


def _status_url(world, meeting, job):
    return reverse(
        "bulk_job_status",
        kwargs={"org": world.client.slug, "programme_pk": meeting.programme_id, "job_pk": job.pk},
    )


def _lines(n, start=0):
    return "\n".join(f"Bewoner {i} <b{i}@example.org>" for i in range(start, start + n))


def _rows(n):
    return [(f"Bewoner {i}", f"b{i}@example.org", "nl") for i in range(n)]


def test_inviting_a_thousand_answers_at_once_and_the_task_invites_each_once(
    client, world, meeting, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.PROJECT_LEADER])
    with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(30):
        response = client.post(_url(world, meeting), {"many-people": _lines(MANY)})
    assert response.status_code == 302
    # The request stored the job: no invitation made, no mail queued.
    assert not Invitee.objects.filter(meeting=meeting).exists()
    assert not OutboxMessage.objects.exists()
    job = BulkJob.objects.get()
    assert (job.status, job.total, job.done, job.kind) == (
        BulkJob.Status.PENDING,
        MANY,
        0,
        services.meetings.MEETING_INVITE,
    )
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and "hx-get" in page and f"0 van {MANY}" in page

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == (BulkJob.Status.DONE, MANY, 0)
    assert Invitee.objects.filter(meeting=meeting).count() == MANY
    assert "people" not in job.payload  # the names and addresses are not kept once done
    assert OutboxMessage.objects.count() == MANY
    assert OutboxMessage.objects.values("to_email").distinct().count() == MANY

    answer = client.get(_status_url(world, meeting, job), {"format": "json"}).json()
    assert (answer["status"], answer["done"], answer["total"]) == ("done", MANY, MANY)
    page = client.get(_url(world, meeting)).content.decode()
    assert f"{MANY} van {MANY}" in page and "hx-get" not in page.split("bulk-job-status")[1][:300]


def test_a_chunk_run_again_invites_nobody_twice(world, meeting):
    job = services.meeting_invite_many(
        actor=world.users[Role.PROJECT_LEADER], meeting=meeting, people=_rows(250)
    )
    assert isinstance(job, BulkJob)
    assert bulk.bulk_job_claim(job_id=job.pk) is not None
    assert bulk.bulk_job_chunk(job_id=job.pk)
    # A worker that died after its chunk's invitations but before the job moved on: run again.
    BulkJob.objects.filter(pk=job.pk).update(position=0, done=0)
    assert bulk.bulk_job_chunk(job_id=job.pk)
    assert Invitee.objects.filter(meeting=meeting).count() == bulk.CHUNK_SIZE
    assert OutboxMessage.objects.count() == bulk.CHUNK_SIZE
    assert bulk.bulk_job_process(job_id=job.pk) == BulkJob.Status.DONE
    job.refresh_from_db()
    assert (job.done, job.failed) == (250, 0)
    assert Invitee.objects.filter(meeting=meeting).count() == OutboxMessage.objects.count() == 250


def test_a_short_list_is_invited_in_the_request_once_per_address(
    client, world, meeting, django_capture_on_commit_callbacks
):
    services.invitee_add(actor=None, meeting=meeting, name="Bewoner 0", email="b0@example.org")
    client.force_login(world.users[Role.PROJECT_LEADER])
    lines = _lines(bulk.SYNC_MAX - 1) + "\nB1@Example.org\nbuurman@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world, meeting), {"many-people": lines}, follow=True)
    assert not BulkJob.objects.exists()
    # b0 was invited before and b1 is there twice: the others and the neighbour are new.
    assert Invitee.objects.filter(meeting=meeting).count() == bulk.SYNC_MAX
    assert Invitee.objects.get(email="buurman@example.org").name == "buurman"
    assert OutboxMessage.objects.count() == bulk.SYNC_MAX  # b0's first, and 19 new
    assert f"{bulk.SYNC_MAX - 1} mensen zijn uitgenodigd" in response.content.decode()


def test_a_line_without_an_address_invites_nobody(client, world, meeting):
    client.force_login(world.users[Role.PROJECT_LEADER])
    response = client.post(_url(world, meeting), {"many-people": "Jan <jan@example.org>\nPiet"})
    assert response.status_code == 200
    assert "regel 2" in response.content.decode()
    assert not Invitee.objects.exists() and not BulkJob.objects.exists()


def test_someone_who_cannot_be_invited_is_counted_as_failed(client, world, meeting):
    rows = _rows(bulk.SYNC_MAX + 1)
    rows[3] = ("Kapot", "geen-adres", "nl")  # the form refuses it; a stored job may still hold it
    job = services.meeting_invite_many(actor=None, meeting=meeting, people=rows)
    assert bulk.bulk_job_process(job_id=job.pk) == BulkJob.Status.DONE
    job.refresh_from_db()
    assert (job.done, job.failed) == (bulk.SYNC_MAX, 1)
    client.force_login(world.users[Role.PROJECT_LEADER])
    fragment = client.get(_status_url(world, meeting, job)).content.decode()
    assert "1 mislukt" in fragment

"""The outbox when the database goes away mid-delivery: retried, and a mail that left but
could not be recorded is never sent again by the retry or the sweep."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.db import OperationalError
from django.utils import timezone

from programmes.mail import mail_queue
from programmes.models import OutboxMessage
from programmes.services import outbox as service
from programmes.tasks import OUTBOX_MAX_RETRIES, outbox_send


@pytest.fixture(autouse=True)
def _no_leftover_markers():
    service._delivered_unrecorded.clear()
    yield
    service._delivered_unrecorded.clear()


def _queue(world):
    return mail_queue(
        organisation=world.client,
        to="bewoner@example.org",
        to_name="Bewoner",
        template="programmes/meeting_reminder",
        context={"invitee": {"name": "Bewoner"}, "meeting": {"title": "Bijeenkomst"}},
    )


def _failing(monkeypatch, name, times):
    """Make `service.<name>` raise OperationalError the first `times` calls."""
    real = getattr(service, name)
    calls = {"n": 0, "times": times}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] <= calls["times"]:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(service, name, flaky)
    return calls


def test_database_away_at_the_claim_is_retried(
    world, unscoped, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    calls = _failing(monkeypatch, "outbox_claim", times=2)
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world)
    message.refresh_from_db()
    assert calls["n"] == 3
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1
    assert len(mailoutbox) == 1


def test_mail_that_left_but_was_not_recorded_is_not_sent_again(
    world, unscoped, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    calls = _failing(monkeypatch, "outbox_record_sent", times=3)
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world)
    message.refresh_from_db()
    assert calls["n"] == 4  # the record was written on the fourth try, nothing else repeated
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1
    assert len(mailoutbox) == 1
    assert service._delivered_unrecorded == {}


def test_record_that_never_succeeds_leaves_it_to_the_sweep_which_does_not_resend(
    world, unscoped, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    calls = _failing(monkeypatch, "outbox_record_sent", times=100)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _queue(world)
    with pytest.raises(service.OutboxInterrupted):  # in-process, as without a broker
        outbox_send.apply(
            kwargs={"message_id": message.pk, "organisation_id": world.client.pk}, throw=True
        )
    assert calls["n"] == OUTBOX_MAX_RETRIES + 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENDING and len(mailoutbox) == 1
    # The database is back; the sweep hands the row back later and the task only records it.
    calls["times"] = 0
    assert callbacks  # the send that was queued at commit, not run here
    assert service.outbox_requeue_stale(now=timezone.now() + timedelta(hours=1)) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1
    assert len(mailoutbox) == 1


def test_retry_through_the_broker_carries_the_claim_and_the_moment_it_left(
    world, unscoped, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    """With a worker, the retry is a new task message: what it needs travels in its
    arguments, so another worker process does not send the mail again either."""
    _failing(monkeypatch, "outbox_record_sent", times=1)
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(world)
    retried = {}

    def retry(*, kwargs, countdown, exc):
        retried.update(kwargs=kwargs, countdown=countdown)
        return Retry()

    monkeypatch.setattr(outbox_send, "retry", retry)
    outbox_send.push_request(is_eager=False, retries=0)
    try:
        with pytest.raises(Retry):
            outbox_send.run(message_id=message.pk, organisation_id=world.client.pk)
    finally:
        outbox_send.pop_request()
    assert len(mailoutbox) == 1 and retried["countdown"] == 30
    kwargs = retried["kwargs"]
    assert kwargs["claimed"] == 1 and kwargs["delivered_at"]
    # Another process: nothing in its memory, only the task's arguments.
    service._delivered_unrecorded.clear()
    assert outbox_send(**kwargs) == OutboxMessage.Status.SENT
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and len(mailoutbox) == 1


def test_interrupted_task_takes_back_only_its_own_claim(world, unscoped, mailoutbox):
    """The database went away while a failed send was being written down: the row is still
    'sending'. The task that claimed it may send again; a stray copy of the task may not."""
    message = _queue(world)
    mailoutbox.clear()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, attempts=2, attempted_at=timezone.now()
    )
    kwargs = {"message_id": message.pk, "organisation_id": world.client.pk}
    assert outbox_send(**kwargs) == "skipped"
    assert outbox_send(**kwargs, claimed=1) == "skipped"  # someone claimed it since
    assert mailoutbox == []
    assert outbox_send(**kwargs, claimed=2) == OutboxMessage.Status.SENT
    message.refresh_from_db()
    assert message.attempts == 3 and len(mailoutbox) == 1


def test_the_sweep_does_not_hand_back_a_claim_that_came_back(world, unscoped, mailoutbox):
    message = _queue(world)
    mailoutbox.clear()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, attempted_at=timezone.now()
    )
    assert service.outbox_requeue_stale() == 0
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENDING and mailoutbox == []

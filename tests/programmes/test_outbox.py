"""The mail outbox: one row per message, transient failures retried, permanent ones visible,
a task that runs twice sends once."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from programmes.mail import mail_queue
from programmes.models import OutboxMessage
from programmes.services.outbox import outbox_requeue_stale
from programmes.tasks import outbox_send


class FlakyBackend(LocmemBackend):
    """Fails the first `failures` sends with `error`, then delivers to the locmem outbox."""

    failures = 0
    error: Exception = smtplib.SMTPServerDisconnected("connection lost")
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise type(self).error
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.programmes.test_outbox.FlakyBackend"}}
    FlakyBackend.calls = 0
    return FlakyBackend


def _queue(world, programme=None):
    return mail_queue(
        organisation=world.client,
        programme=programme,
        to="bewoner@example.org",
        to_name="Bewoner",
        template="programmes/meeting_reminder",
        context={"invitee": {"name": "Bewoner"}, "meeting": {"title": "Bijeenkomst"}},
    )


def test_message_is_stored_and_sent_after_commit(
    world, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _queue(world)
    assert message.status == OutboxMessage.Status.QUEUED and mailoutbox == []
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.sent_at
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == ["Bewoner <bewoner@example.org>"]
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert sent.alternatives  # HTML part


def test_task_run_twice_sends_once(world, unscoped, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world)
    assert outbox_send(message_id=message.pk, organisation_id=world.client.pk) == "skipped"
    assert len(mailoutbox) == 1


def test_transient_failure_is_retried(world, unscoped, flaky, django_capture_on_commit_callbacks):
    flaky.failures = 2
    flaky.error = smtplib.SMTPServerDisconnected("connection lost")
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 3 and len(mail.outbox) == 1


def test_transient_failure_that_persists_fails_visibly(
    world, unscoped, flaky, django_capture_on_commit_callbacks
):
    flaky.failures = 100
    flaky.error = smtplib.SMTPResponseException(451, b"try again later")
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 9 and "451" in message.last_error


def test_permanent_failure_is_not_retried(
    world, unscoped, flaky, django_capture_on_commit_callbacks
):
    flaky.failures = 100
    flaky.error = smtplib.SMTPRecipientsRefused({"bewoner@example.org": (550, b"no such user")})
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == 1
    assert "550" in message.last_error


def test_stale_sending_message_is_requeued(
    world, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    """A worker that died after claiming a message: the sweep hands it back, it is sent."""
    from datetime import timedelta

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(world)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING,
        attempted_at=timezone.now() - timedelta(hours=1),
        created_at=timezone.now() - timedelta(hours=1),
    )
    assert outbox_requeue_stale() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and len(mailoutbox) == 1
    assert outbox_requeue_stale() == 0


def test_outbox_page_shows_messages_and_retry(
    client, world, programme, unscoped, flaky, django_capture_on_commit_callbacks
):
    flaky.failures = 100
    flaky.error = smtplib.SMTPRecipientsRefused({"bewoner@example.org": (550, b"no such user")})
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world, programme)
    client.force_login(world.users["project_leader"])
    url = f"/workspace/clients/{world.client.slug}/programmes/{programme.pk}/outbox/"
    page = client.get(url).content.decode()
    assert "bewoner@example.org" in page and "Mislukt" in page
    flaky.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}{message.pk}/retry/")
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT

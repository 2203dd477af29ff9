"""Held mail: a decision's message waits until its time (so the decision can be undone), is
sent by the sweep once due, never before, never twice, and never once cancelled."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programmes.mail import mail_hold, mail_queue
from programmes.models import AuditEntry, OutboxMessage
from programmes.permissions import Role
from programmes.services.outbox import (
    outbox_cancel_held,
    outbox_held,
    outbox_requeue_stale,
    outbox_send_due,
)
from programmes.tasks import outbox_send

REF = "test.decision:1"


def _queue(world, ref=REF, seconds=300):
    with mail_hold(ref=ref, seconds=seconds):
        return mail_queue(
            organisation=world.client,
            to="bewoner@example.org",
            to_name="Bewoner",
            template="programmes/meeting_reminder",
            context={"invitee": {"name": "Bewoner"}, "meeting": {"title": "Bijeenkomst"}},
        )


def test_held_message_waits_and_the_sweep_sends_it_when_due(
    world, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world)
    assert message.ref == REF and message.send_after > timezone.now() + timedelta(seconds=290)
    # Nothing leaves at commit, nor when a task runs early, nor by the sweep before its time.
    assert outbox_send(message_id=message.pk, organisation_id=world.client.pk) == "skipped"
    assert outbox_send_due() == 0 and outbox_requeue_stale() == 0
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED and mailoutbox == []
    assert outbox_held(refs=[REF, "other"]) == {REF: message.send_after}

    later = message.send_after + timedelta(seconds=1)
    assert outbox_send_due(now=later - timedelta(seconds=2)) == 0
    OutboxMessage.objects.filter(pk=message.pk).update(send_after=timezone.now())
    assert outbox_send_due() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and len(mailoutbox) == 1
    # Sent once: another sweep or a late task does nothing.
    assert outbox_send_due() == 0
    assert outbox_send(message_id=message.pk, organisation_id=world.client.pk) == "skipped"
    assert len(mailoutbox) == 1 and outbox_held(refs=[REF]) == {}


def test_cancelled_message_is_never_sent(world, unscoped, mailoutbox):
    message = _queue(world)
    assert outbox_cancel_held(actor=world.users[Role.PROJECT_LEADER], ref=REF) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.CANCELLED
    assert AuditEntry.objects.filter(action="outbox.cancelled").count() == 1
    OutboxMessage.objects.filter(pk=message.pk).update(
        send_after=timezone.now() - timedelta(hours=1),
        created_at=timezone.now() - timedelta(hours=1),
    )
    assert outbox_send_due() == 0 and outbox_requeue_stale() == 0
    assert outbox_send(message_id=message.pk, organisation_id=world.client.pk) == "skipped"
    assert mailoutbox == []
    with pytest.raises(ValidationError, match="niets om ongedaan te maken"):
        outbox_cancel_held(actor=None, ref=REF)


def test_cancel_after_the_mail_left_is_refused(
    world, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    message = _queue(world)
    OutboxMessage.objects.filter(pk=message.pk).update(send_after=timezone.now())
    outbox_send_due()
    with pytest.raises(ValidationError) as refused:
        outbox_cancel_held(actor=None, ref=REF)
    assert "al verstuurd" in refused.value.messages[0]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and len(mailoutbox) == 1


def test_without_a_hold_mail_leaves_at_commit(
    world, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world, seconds=0)
    message.refresh_from_db()
    assert message.send_after is None and message.status == OutboxMessage.Status.SENT


def test_the_beat_runs_the_sweep(settings):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "programmes.tasks.outbox_send_due" in schedule
    due = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("outbox_send_due")
    )
    assert due["schedule"] <= 60


def test_outbox_page_shows_held_and_cancelled(client, world, team):
    programme = team[0]
    with mail_hold(ref=REF, seconds=300):
        held = mail_queue(
            organisation=world.client,
            programme=programme,
            to="a@example.org",
            template="programmes/meeting_reminder",
            context={"invitee": {"name": "A"}, "meeting": {"title": "Bijeenkomst"}},
        )
    with mail_hold(ref="test.decision:2", seconds=300):
        mail_queue(
            organisation=world.client,
            programme=programme,
            to="b@example.org",
            template="programmes/meeting_reminder",
            context={"invitee": {"name": "B"}, "meeting": {"title": "Bijeenkomst"}},
        )
    outbox_cancel_held(actor=None, ref="test.decision:2")
    from django.urls import reverse

    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(
        reverse("programme_outbox", kwargs={"org": world.client.slug, "programme_pk": programme.pk})
    ).content.decode()
    local = timezone.localtime(held.send_after)
    assert "Geannuleerd" in page and f"wacht tot {local:%-d}" in page


def test_with_a_broker_the_worker_gets_the_task_for_the_moment_it_is_due(
    world, unscoped, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setitem(outbox_send.app.conf, "task_always_eager", False)
    monkeypatch.setattr(outbox_send, "apply_async", lambda **kw: sent.append(kw))
    monkeypatch.setattr(outbox_send, "delay", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world)
    assert sent == [
        {
            "kwargs": {"message_id": message.pk, "organisation_id": world.client.pk},
            "eta": message.send_after,
        }
    ]

"""The outbox in batches: a burst goes out as one task over one connection per batch, a
message is claimed by one batch only, a failure stays with its own message, and a batch cut
short (the database away, the time budget spent, a dead worker) sends nothing twice."""

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from programmes import tasks
from programmes.mail import mail_burst, mail_hold, mail_queue
from programmes.mime import email_for
from programmes.models import OutboxMessage
from programmes.services import outbox as service
from programmes.tasks import outbox_flush

Status = OutboxMessage.Status


class CountingBackend(LocmemBackend):
    """Counts the connections opened; refuses the recipients in `refuse` (with `error`)."""

    opened = 0
    refuse: dict = {}

    def open(self):
        type(self).opened += 1
        return super().open()

    def send_messages(self, messages):
        for message in messages:
            to = message.to[0]
            if type(self).refuse.get(to):
                error = type(self).refuse[to].pop(0)
                raise error
        return super().send_messages(messages)


@pytest.fixture
def counting(settings):
    settings.MAILERS = {
        "default": {"BACKEND": "tests.programmes.test_outbox_batch.CountingBackend"}
    }
    CountingBackend.opened = 0
    CountingBackend.refuse = {}
    return CountingBackend


@pytest.fixture(autouse=True)
def _no_leftover_markers():
    service._delivered_unrecorded.clear()
    yield
    service._delivered_unrecorded.clear()


@pytest.fixture
def handed(monkeypatch):
    """The names of the tasks handed to the queue (they still run, in-process)."""
    names = []
    for task in (tasks.outbox_send, tasks.outbox_flush):
        real = task.apply_async

        def record(*args, _real=real, _name=task.name, **kwargs):
            names.append(_name.rsplit(".", 1)[1])
            return _real(*args, **kwargs)

        monkeypatch.setattr(task, "apply_async", record)
    return names


def _queue(world, i=0):
    return mail_queue(
        organisation=world.client,
        to=f"bewoner{i}@example.org",
        template="programmes/meeting_reminder",
        context={"invitee": {"name": f"Bewoner {i}"}, "meeting": {"title": "Bijeenkomst"}},
    )


def _rows(world, n):
    """`n` queued messages written directly (as a large mailing leaves them)."""
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(
            organisation=world.client,
            template="programmes/meeting_reminder",
            to_email=f"bewoner{i}@example.org",
            subject=f"Bericht {i}",
            body_text="Hallo",
        )
        for i in range(n)
    )


def _statuses(rows):
    return list(
        OutboxMessage.objects.filter(pk__in=[r.pk for r in rows])
        .order_by("pk")
        .values_list("status", flat=True)
    )


def test_a_burst_is_one_task_and_one_connection(
    world, unscoped, counting, handed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), mail_burst():
        messages = [_queue(world, i) for i in range(5)]
    assert handed == ["outbox_flush"]
    assert counting.opened == 1 and len(mail.outbox) == 5
    assert _statuses(messages) == [Status.SENT] * 5
    sent_ids = sorted(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert sent_ids == sorted(m.message_id for m in messages)


def test_one_mail_alone_still_leaves_at_once_on_its_own_task(
    world, unscoped, counting, handed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(world)
    with django_capture_on_commit_callbacks(execute=True), mail_burst():
        alone = _queue(world, 1)
    assert handed == ["outbox_send", "outbox_send"]
    assert _statuses([message, alone]) == [Status.SENT] * 2 and len(mail.outbox) == 2


def test_mail_queued_outside_the_burst_is_not_taken_along(
    world, unscoped, counting, django_capture_on_commit_callbacks
):
    """A batch sends the messages of its burst, not whatever else waits in the queue."""
    waiting = _rows(world, 1)[0]
    with django_capture_on_commit_callbacks(execute=True), mail_burst():
        burst = [_queue(world, i) for i in (1, 2)]
    assert _statuses([waiting, *burst]) == [Status.QUEUED, Status.SENT, Status.SENT]


def test_a_burst_of_many_is_one_task_per_fifty(
    world, unscoped, counting, handed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), mail_burst():
        messages = [_queue(world, i) for i in range(120)]
    assert handed == ["outbox_flush"] * 3 and counting.opened == 3
    assert _statuses(messages) == [Status.SENT] * 120


def test_a_rolled_back_savepoint_takes_its_mail_but_not_the_others(
    world, unscoped, counting, handed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), mail_burst():
        first = _queue(world, 1)
        with pytest.raises(RuntimeError), transaction.atomic():
            _queue(world, 2)
            raise RuntimeError("changed my mind")
        last = _queue(world, 3)
    assert handed == ["outbox_flush"]
    assert _statuses([first, last]) == [Status.SENT, Status.SENT]
    assert sorted(m.to[0] for m in mail.outbox) == ["bewoner1@example.org", "bewoner3@example.org"]


def test_mails_queued_by_one_service_call_each_are_still_one_batch(
    world, unscoped, counting, handed, django_capture_on_commit_callbacks
):
    """Each service call runs in its own savepoint (a loop of invitations): one batch."""
    with django_capture_on_commit_callbacks(execute=True), mail_burst():
        messages = []
        for i in range(4):
            with transaction.atomic():
                messages.append(_queue(world, i))
        with pytest.raises(RuntimeError), transaction.atomic():
            _queue(world, 9)
            raise RuntimeError("this one is undone")
    assert handed == ["outbox_flush"] and counting.opened == 1
    assert _statuses(messages) == [Status.SENT] * 4 and len(mail.outbox) == 4


def test_a_large_mailing_goes_in_batches_of_fifty(world, unscoped, counting):
    rows = _rows(world, 120)
    result = outbox_flush(organisation_id=world.client.pk)
    assert result["claimed"] == 120 and result["sent"] == 120
    assert counting.opened == 3  # one connection per batch
    assert _statuses(rows) == [Status.SENT] * 120 and len(mail.outbox) == 120
    assert outbox_flush(organisation_id=world.client.pk) == {"claimed": 0}


def test_a_full_batch_hands_on_the_next_before_it_sends(world, unscoped, counting):
    rows = _rows(world, 3)
    chained = []
    first = service.outbox_deliver_batch(
        organisation_id=world.client.pk, limit=2, chain=lambda: chained.append(len(mail.outbox))
    )
    assert chained == [0] and first == {"claimed": 2, "sent": 2}
    second = service.outbox_deliver_batch(
        organisation_id=world.client.pk, limit=2, chain=lambda: chained.append(len(mail.outbox))
    )
    assert chained == [0] and second == {"claimed": 1, "sent": 1}
    assert _statuses(rows) == [Status.SENT] * 3


def test_two_claims_in_a_row_never_share_a_message(world, unscoped, other_world):
    rows = _rows(world, 5)
    _rows(other_world, 2)  # another tenant's mail is not this batch's
    first = service.outbox_claim_batch(organisation_id=world.client.pk, limit=3)
    second = service.outbox_claim_batch(organisation_id=world.client.pk, limit=3)
    assert [m.pk for m in first] == [r.pk for r in rows[:3]]
    assert [m.pk for m in second] == [r.pk for r in rows[3:]]
    assert service.outbox_claim_batch(organisation_id=world.client.pk) == []
    assert {m.status for m in first + second} == {Status.SENDING}
    assert {m.attempts for m in first + second} == {1}


def test_held_and_cancelled_messages_are_not_claimed(world, unscoped):
    with mail_hold(ref="decision:1", seconds=300):
        _queue(world, 1)
    cancelled = _rows(world, 1)[0]
    OutboxMessage.objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED)
    assert service.outbox_claim_batch(organisation_id=world.client.pk) == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite has none)"
)
def test_concurrent_claims_skip_what_the_other_holds(transactional_db, world):
    """Worker A has claimed (its transaction still open, rows locked); worker B claims at
    that moment and gets the other messages, without waiting for A."""
    with scopes_disabled():
        rows = _rows(world, 6)
    claimed_a, claimed_b = [], []
    a_claimed, b_done = threading.Event(), threading.Event()

    def worker_a():
        try:
            with scopes_disabled(), transaction.atomic():
                claimed_a.extend(
                    service.outbox_claim_batch(organisation_id=world.client.pk, limit=4)
                )
                a_claimed.set()
                assert b_done.wait(timeout=20)
        finally:
            connection.close()

    def worker_b():
        try:
            assert a_claimed.wait(timeout=20)
            with scopes_disabled():
                claimed_b.extend(
                    service.outbox_claim_batch(organisation_id=world.client.pk, limit=4)
                )
        finally:
            b_done.set()
            connection.close()

    threads = [threading.Thread(target=worker_a), threading.Thread(target=worker_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    ids_a, ids_b = {m.pk for m in claimed_a}, {m.pk for m in claimed_b}
    assert len(ids_a) == 4 and len(ids_b) == 2 and not ids_a & ids_b
    assert ids_a | ids_b == {r.pk for r in rows}
    with scopes_disabled():
        assert _statuses(rows) == [Status.SENDING] * 6


def test_a_transient_failure_retries_that_message_alone(world, unscoped, counting):
    rows = _rows(world, 4)
    counting.refuse = {"bewoner1@example.org": [smtplib.SMTPServerDisconnected("lost")]}
    outbox_flush(organisation_id=world.client.pk)
    assert _statuses(rows) == [Status.SENT] * 4
    attempts = list(
        OutboxMessage.objects.filter(pk__in=[r.pk for r in rows])
        .order_by("pk")
        .values_list("attempts", flat=True)
    )
    assert attempts == [1, 2, 1, 1]  # retried on its own (at once, in-process)
    assert sorted(m.to[0] for m in mail.outbox) == [f"bewoner{i}@example.org" for i in range(4)]
    assert counting.opened == 2  # a new connection after the broken one


def test_a_permanent_failure_fails_that_message_visibly(world, unscoped, counting):
    rows = _rows(world, 3)
    refused = smtplib.SMTPRecipientsRefused({"bewoner0@example.org": (550, b"5.1.1 unknown")})
    counting.refuse = {"bewoner0@example.org": [refused]}
    result = outbox_flush(organisation_id=world.client.pk)
    assert result == {"claimed": 3, "failed": 1, "sent": 2}
    assert _statuses(rows) == [Status.FAILED, Status.SENT, Status.SENT]
    assert "550" in OutboxMessage.objects.get(pk=rows[0].pk).last_error


def test_with_a_broker_a_transient_failure_is_retried_later(world, unscoped, counting, monkeypatch):
    rows = _rows(world, 2)
    counting.refuse = {"bewoner0@example.org": [smtplib.SMTPResponseException(451, b"later")]}
    queued = []
    monkeypatch.setattr(service, "enqueue", lambda task, **kw: queued.append((task.name, kw)))
    result = service.outbox_deliver_batch(organisation_id=world.client.pk)
    assert result == {"claimed": 2, "retrying": 1, "sent": 1}
    assert _statuses(rows) == [Status.RETRYING, Status.SENT]
    [(name, kwargs)] = queued
    assert name == "programmes.tasks.outbox_send" and kwargs["message_id"] == rows[0].pk
    assert kwargs["eta"] > timezone.now() + timedelta(seconds=20)


def test_database_away_mid_batch_records_what_left_and_sends_the_rest_once(
    world, unscoped, counting, monkeypatch
):
    rows = _rows(world, 4)
    real = service.outbox_record_sent
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second mail left, but writing it down fails
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(service, "outbox_record_sent", flaky)
    monkeypatch.setattr(tasks, "OUTBOX_EAGER_PAUSES", (0,))
    outbox_flush(organisation_id=world.client.pk)
    assert _statuses(rows) == [Status.SENT] * 4
    assert sorted(m.to[0] for m in mail.outbox) == [f"bewoner{i}@example.org" for i in range(4)]
    assert service._delivered_unrecorded == {}


def test_the_retry_after_an_interruption_carries_the_batch_claims(
    world, unscoped, counting, monkeypatch
):
    """With a broker, the retry is a new task message: what was claimed and what left travel
    in its arguments, so another process sends nothing twice."""
    rows = _rows(world, 3)
    real = service.outbox_record_sent
    monkeypatch.setattr(service, "outbox_record_sent", _fail_once(real))
    with pytest.raises(service.OutboxBatchInterrupted) as interrupted:
        service.outbox_deliver_batch(organisation_id=world.client.pk)
    claims = interrupted.value.claims
    assert [c[0] for c in claims] == [r.pk for r in rows] and claims[0][2]
    assert [c[2] for c in claims[1:]] == [None, None]
    assert len(mail.outbox) == 1
    service._delivered_unrecorded.clear()  # another process: only the arguments
    result = outbox_flush(organisation_id=world.client.pk, claims=claims)
    assert result["sent"] == 3 and result["claimed"] == 2
    assert len(mail.outbox) == 3 and _statuses(rows) == [Status.SENT] * 3


def _fail_once(real):
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    return flaky


def test_a_batch_gives_back_what_it_has_no_time_left_for(world, unscoped, counting, monkeypatch):
    rows = _rows(world, 3)
    monkeypatch.setattr(service, "BATCH_BUDGET", timedelta(0))
    chained = []
    result = service.outbox_deliver_batch(
        organisation_id=world.client.pk, chain=lambda: chained.append(1)
    )
    assert result == {"claimed": 3, "sent": 1, "released": 2} and chained == [1]
    assert _statuses(rows) == [Status.SENT, Status.QUEUED, Status.QUEUED]
    assert [r.attempts for r in OutboxMessage.objects.filter(pk__in=[r.pk for r in rows[1:]])] == [
        0,
        0,
    ]
    # In-process, the task goes on with the next batch until everything is out.
    outbox_flush(organisation_id=world.client.pk)
    assert _statuses(rows) == [Status.SENT] * 3 and len(mail.outbox) == 3


def test_a_batch_a_dead_worker_left_is_swept_and_sent_once(world, unscoped, counting):
    rows = _rows(world, 3)
    service.outbox_claim_batch(organisation_id=world.client.pk)  # and then the worker died
    assert service.outbox_requeue_stale() == 0  # not before STALE_AFTER
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
        attempted_at=timezone.now() - timedelta(hours=1)
    )
    assert service.outbox_requeue_stale() == 3
    assert _statuses(rows) == [Status.SENT] * 3 and len(mail.outbox) == 3
    assert service.outbox_requeue_stale() == 0


def test_the_sweep_sends_stale_queued_mail_as_one_batch(world, unscoped, counting, handed):
    rows = _rows(world, 4)
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert service.outbox_requeue_stale() == 4
    assert handed == ["outbox_flush"] and counting.opened == 1
    assert _statuses(rows) == [Status.SENT] * 4


def test_a_held_burst_is_one_batch_task_for_its_moment(
    world, unscoped, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setitem(outbox_flush.app.conf, "task_always_eager", False)
    for task in (tasks.outbox_send, tasks.outbox_flush):
        monkeypatch.setattr(
            task, "apply_async", lambda _name=task.name, **kw: sent.append((_name, kw))
        )
    with (
        django_capture_on_commit_callbacks(execute=True),
        mail_burst(),
        mail_hold(ref="d:1", seconds=300),
    ):
        messages = [_queue(world, i) for i in range(3)]
    ids = [m.pk for m in messages]
    assert sent == [
        (
            "programmes.tasks.outbox_flush",
            {
                "kwargs": {"organisation_id": world.client.pk, "message_ids": ids},
                "eta": messages[0].send_after,
            },
        )
    ]


def test_the_mail_itself_is_well_formed(world, unscoped, settings):
    """The outbox builds its MIME itself (the classic API, for speed): check the result."""
    import email
    import email.policy

    settings.DEFAULT_FROM_EMAIL = "BewonersTeam Één <noreply@example.org>"
    message = OutboxMessage(
        organisation=world.client,
        to_email="ella@example.org",
        to_name="Ëlla de Vries",
        subject="Uitnodiging voor de bijeenkomst in de wijk Één\r\nBcc: x@example.org",
        body_text="Hallo Ëlla,\n.\nTot dan",
        body_html="<p>Hallo Ëlla</p>",
    )
    raw = email_for(message).message().as_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends in CRLF
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "Uitnodiging voor de bijeenkomst in de wijk Één Bcc: x@example.org"
    assert parsed["Bcc"] is None  # a line break in a value never makes a header
    assert parsed["To"].addresses[0].display_name == "Ëlla de Vries"
    assert parsed["To"].addresses[0].addr_spec == "ella@example.org"
    assert parsed["From"].addresses[0].display_name == "BewonersTeam Één"
    assert parsed["From"].addresses[0].addr_spec == "noreply@example.org"
    assert parsed["Message-ID"] == message.message_id and parsed["Date"]
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "Hallo Ëlla,\n.\nTot dan" in text.replace("\r\n", "\n") and "<p>Hallo Ëlla</p>" in html

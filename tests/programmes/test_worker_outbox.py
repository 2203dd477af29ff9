"""Mail through a real Celery worker and a private Redis, when things break.

A worker killed in the middle of a mail loses nothing and leaves nothing stuck: the sweep and
a new worker deliver it, at most once more than the one duplicate the outbox documents. With
Redis stopped, a project leader still invites fifty people without an error; once Redis is
back, the sweep has the worker send each of the fifty mails exactly once.

Mail goes by SMTP to a small server in this test that counts what it accepted.
"""

import email
import json
import select
import socket
import socketserver
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from celery import Celery
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from programmes import services
from programmes.models import OutboxMessage
from programmes.permissions import Role
from programmes.services.outbox import outbox_requeue_stale

from .worker_support import (
    new_queue,
    private_redis,  # noqa: F401 - a fixture
    project_env,
    run_django,
    start_worker,
    stop_worker,
    wait_for,
)

SWEEP = """
from datetime import timedelta
from django.utils import timezone
from django_scopes import scopes_disabled
from programmes.services.outbox import outbox_requeue_stale
with scopes_disabled():
    print(outbox_requeue_stale(now=timezone.now() + timedelta(hours=1)))
"""


class SmtpSink:
    """An SMTP server that keeps every message it accepted (answered 250 to). `hold` makes
    it wait, once, before answering the end of the message ("data": not accepted yet) or the
    goodbye ("quit": accepted already), until `release` is set; `delay` makes it take that
    long over every message. Counts the connections (`sessions`)."""

    def __init__(self, hold: str | None = None, delay: float = 0):
        self.hold = hold
        self.delay = delay
        self.sessions = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self.accepted: list[email.message.Message] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                sink._session(self)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for m in self.accepted]

    def _holds(self, step: str) -> bool:
        with self._lock:
            if self.hold != step or self.held.is_set():
                return False
            self.held.set()
        self.release.wait(timeout=60)
        return True

    @staticmethod
    def _client_gone(sock) -> bool:
        readable, _w, _x = select.select([sock], [], [], 0.5)
        if not readable:
            return False
        try:
            return sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _session(self, h):
        def reply(line: str):
            h.wfile.write(line.encode() + b"\r\n")

        with self._lock:
            self.sessions += 1
        reply("220 sink ready")
        while True:
            line = h.rfile.readline()
            if not line:
                return
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                reply("250 sink")
            elif command.startswith((b"MAIL", b"RCPT", b"RSET", b"NOOP")):
                reply("250 ok")
            elif command == b"DATA":
                reply("354 go on")
                lines = []
                while (part := h.rfile.readline()) not in (b".\r\n", b".\n"):
                    if not part:
                        return
                    lines.append(part[1:] if part.startswith(b"..") else part)
                if self._holds("data") and self._client_gone(h.connection):
                    return  # the sender died before the message was accepted
                time.sleep(self.delay)  # a slow server
                with self._lock:
                    self.accepted.append(email.message_from_bytes(b"".join(lines)))
                reply("250 accepted")
            elif command == b"QUIT":
                if self._holds("quit"):
                    return
                reply("221 bye")
                return
            else:
                reply("500 unknown command")


def _mail_env(redis_url: str, queue: str, sink: SmtpSink) -> dict:
    return project_env(
        redis_url,
        queue,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        EMAIL_USE_TLS="0",
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        DJANGO_ALLOWED_HOSTS="testserver",
    )


def _status(pk: int) -> str:
    with scopes_disabled():
        return OutboxMessage.objects.get(pk=pk).status


@pytest.fixture
def sink(request):
    sink = SmtpSink(hold=getattr(request, "param", None))
    yield sink
    sink.close()


@pytest.mark.worker
@pytest.mark.parametrize("sink", ["data", "quit"], indirect=True)
def test_worker_killed_mid_mail_loses_nothing(private_redis, transactional_db, world, sink):  # noqa: F811
    queue = new_queue()
    env = _mail_env(private_redis.url, queue, sink)
    with scopes_disabled():
        message = OutboxMessage.objects.create(
            organisation=world.client,
            template="programmes/meeting_invitation",
            to_email="bewoner@example.org",
            subject="Uitnodiging",
            body_text="Kom je ook?",
        )
    worker = start_worker(env)
    sender = Celery(broker=private_redis.url, set_as_current=False)
    try:
        sender.send_task(
            "programmes.tasks.outbox_send",
            kwargs={"message_id": message.pk, "organisation_id": world.client.pk},
            queue=queue,
        )
        assert sink.held.wait(timeout=30), stop_worker(worker)
        worker.kill()  # SIGKILL in the middle of the SMTP conversation
        worker.wait(timeout=10)
        sink.release.set()
        # The claim stays behind; nothing is lost, and the row is not sent by itself.
        assert _status(message.pk) == OutboxMessage.Status.SENDING

        worker = start_worker(env)
        assert run_django(SWEEP, env).stdout.strip() == "1"
        assert wait_for(lambda: _status(message.pk) == OutboxMessage.Status.SENT), stop_worker(
            worker
        )
    finally:
        sender.close()
        stop_worker(worker)
    ids = sink.message_ids()
    if sink.hold == "data":
        # The server never accepted the first try: exactly one copy arrives.
        assert ids == [message.message_id]
    else:
        # Killed after the server accepted it and before "sent" was written: the one duplicate
        # the outbox documents, with the same Message-ID.
        assert 1 <= len(ids) <= 2 and set(ids) == {message.message_id}
    with scopes_disabled():
        assert outbox_requeue_stale(now=timezone.now() + timedelta(hours=1)) == 0


@pytest.mark.worker
def test_worker_killed_mid_batch_sends_each_mail_once_but_the_one_in_flight(
    private_redis,  # noqa: F811
    transactional_db,
    world,
):
    """A batch of twelve over one connection to a slow server; the worker is killed (SIGKILL)
    after the server has taken four. What was recorded stays sent; the rest of the claim is
    handed back by the sweep and sent by a new worker. Only the message in flight at the kill
    may arrive twice (the documented duplicate, same Message-ID)."""
    sink = SmtpSink(delay=0.3)
    queue = new_queue()
    env = _mail_env(private_redis.url, queue, sink)
    with scopes_disabled():
        rows = OutboxMessage.objects.bulk_create(
            OutboxMessage(
                organisation=world.client,
                template="programmes/meeting_invitation",
                to_email=f"bewoner{i}@example.org",
                subject=f"Uitnodiging {i}",
                body_text="Kom je ook?",
            )
            for i in range(12)
        )
        expected = {row.message_id for row in rows}
        batch = OutboxMessage.objects.filter(pk__in=[row.pk for row in rows])
    worker = start_worker(env)
    sender = Celery(broker=private_redis.url, set_as_current=False)
    try:
        sender.send_task(
            "programmes.tasks.outbox_flush",
            kwargs={"organisation_id": world.client.pk},
            queue=queue,
        )
        assert wait_for(lambda: len(sink.message_ids()) >= 4), stop_worker(worker)
        worker.kill()  # SIGKILL in the middle of the batch
        worker.wait(timeout=10)
        assert sink.sessions == 1  # the whole batch went over one connection
        with scopes_disabled():
            statuses = Counter(batch.values_list("status", flat=True))
        # Each message is either recorded as sent or still claimed; nothing was lost.
        assert set(statuses) <= {OutboxMessage.Status.SENT, OutboxMessage.Status.SENDING}
        assert 3 <= statuses[OutboxMessage.Status.SENT] <= 5, statuses
        claimed = statuses[OutboxMessage.Status.SENDING]

        worker = start_worker(env)
        assert run_django(SWEEP, env).stdout.strip() == str(claimed)
        with scopes_disabled():
            assert wait_for(
                lambda: batch.filter(status=OutboxMessage.Status.SENT).count() == 12, timeout=40
            ), stop_worker(worker)
    finally:
        sender.close()
        stop_worker(worker)
        sink.close()
    arrived = Counter(sink.message_ids())
    assert set(arrived) == expected
    twice = [mid for mid, count in arrived.items() if count > 1]
    assert len(twice) <= 1 and max(arrived.values()) <= 2, arrived


INVITE_FIFTY = """
import json, os
from django.test import Client
from programmes.models import User
client = Client()
client.force_login(User.objects.get(pk=int(os.environ["LEADER"])))
codes = []
for i in range(50):
    response = client.post(
        os.environ["URL"],
        {"name": f"Bewoner {i}", "email": f"bewoner{i}@example.org", "language": "nl"},
    )
    codes.append(response.status_code)
page = client.get(os.environ["URL"]).content.decode()
print(json.dumps({"codes": codes, "page": page}))
"""


@pytest.mark.worker
def test_redis_down_while_inviting_fifty_then_each_mail_once(
    private_redis,  # noqa: F811
    transactional_db,
    world,
    programme,
    sink,
):
    queue = new_queue()
    env = _mail_env(private_redis.url, queue, sink)
    leader = world.users[Role.PROJECT_LEADER]
    start = timezone.now() + timedelta(days=7)
    with scopes_disabled():
        meeting = services.meeting_create(
            actor=leader,
            programme=programme,
            kind="information",
            title="Informatiebijeenkomst",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            location="Buurthuis De Linde",
            capacity=100,
        )
    url = reverse(
        "meeting_detail",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "meeting_pk": meeting.pk},
    )

    private_redis.stop()
    try:
        done = run_django(INVITE_FIFTY, {**env, "LEADER": str(leader.pk), "URL": url}, timeout=90)
    finally:
        private_redis.start()
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == [302] * 50  # saved and redirected, never a 500
    assert "Bewoner 49 is uitgenodigd; de e-mail wordt zo verstuurd." in result["page"]
    with scopes_disabled():
        rows = OutboxMessage.objects.filter(template="programmes/meeting_invitation")
        assert rows.count() == 50
        assert set(rows.values_list("status", flat=True)) == {OutboxMessage.Status.QUEUED}
        expected = {row.message_id for row in rows}
    assert sink.message_ids() == []

    worker = start_worker(env)
    try:
        assert run_django(SWEEP, env).stdout.strip() == "50"
        with scopes_disabled():
            assert wait_for(
                lambda: rows.filter(status=OutboxMessage.Status.SENT).count() == 50, timeout=40
            ), stop_worker(worker)
    finally:
        stop_worker(worker)
    ids = sink.message_ids()
    assert len(ids) == 50 and set(ids) == expected  # each of the fifty, exactly once
    recipients = {m["To"] for m in sink.accepted}
    assert recipients == {f"Bewoner {i} <bewoner{i}@example.org>" for i in range(50)}

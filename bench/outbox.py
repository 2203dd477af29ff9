"""Outbox throughput to a real SMTP server, against the throughput of a trivial task.

Starts a small SMTP server in this process (asyncio; it accepts every message and counts
sessions and Message-IDs) and one Celery worker process (prefork, concurrency 1: the figure
is per worker) on Redis and a throwaway test database. Then, A B A B over the rounds:

- floor: N trivial tasks sent and awaited (results through Redis);
- batches: N outbox messages sent the way a burst goes out (one `outbox_flush` task that
  claims 50 at a time, chains the next batch and sends each batch over one SMTP connection);
- one task per mail (the design before batches: claim, connect, send, record): a tenth of N,
  it is slow.

The clock stops when every message is marked sent. Checks that the server got each message
exactly once. Prints messages per second, the ratio to the floor and the target (over 100
mails/s per worker).
Needs Redis (REDIS_URL, or 127.0.0.1:6379) and, for a figure like production's, PostgreSQL
(DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_outbox).
Run: .venv/bin/python bench/outbox.py [N] [rounds]
"""

import asyncio
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from collections import Counter

from _setup import bench_programme, django_with_test_db, start_worker

TARGET = 100  # mails per second per worker


class SmtpSink:
    """An SMTP server on a free local port that accepts everything: asyncio, in a process of
    its own (as a real server would be), reporting sessions and Message-IDs when asked."""

    def __init__(self):
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_sink_main, args=(child,), daemon=True)
        self.process.start()
        self.port = self.pipe.recv()

    def stats(self) -> tuple[int, Counter]:
        self.pipe.send("stats")
        return self.pipe.recv()

    @property
    def sessions(self) -> int:
        return self.stats()[0]

    def close(self) -> None:
        self.process.terminate()
        self.process.join(timeout=10)


def _sink_main(pipe) -> None:
    sessions = 0
    message_ids: Counter = Counter()

    async def session(reader, writer):
        nonlocal sessions
        sessions += 1

        def reply(line: bytes):
            writer.write(line + b"\r\n")

        reply(b"220 sink ready")
        try:
            while line := await reader.readline():
                command = line.strip().upper()
                if command.startswith((b"EHLO", b"HELO")):
                    reply(b"250 sink")
                elif command.startswith((b"MAIL", b"RCPT", b"RSET", b"NOOP")):
                    reply(b"250 ok")
                elif command == b"DATA":
                    reply(b"354 go on")
                    await writer.drain()
                    message_id = None
                    while (part := await reader.readline()) not in (b".\r\n", b".\n", b""):
                        if message_id is None and part.lower().startswith(b"message-id:"):
                            message_id = part.split(b":", 1)[1].strip().decode()
                    message_ids[message_id] += 1
                    reply(b"250 accepted")
                elif command == b"QUIT":
                    reply(b"221 bye")
                    await writer.drain()
                    break
                else:
                    reply(b"500 unknown command")
                await writer.drain()
        finally:
            writer.close()

    def answer():
        pipe.recv()
        pipe.send((sessions, message_ids))

    async def serve():
        server = await asyncio.start_server(session, "127.0.0.1", 0)
        asyncio.get_running_loop().add_reader(pipe.fileno(), answer)
        pipe.send(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(serve())


def main(n: int, rounds: int) -> None:
    connection = django_with_test_db()

    from celery import Celery
    from django_scopes import scopes_disabled

    from programmes.mail import render_mail
    from programmes.models import OutboxMessage

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    org, _leader, programme = bench_programme()
    with scopes_disabled():
        subject, text, html = render_mail(
            template="programmes/invitation",
            context={
                "invitation": {"name": "B"},
                "organisation": org,
                "link": "https://example.org/x",
                "role": "r",
                "valid_days": 14,
            },
            language="nl",
        )

    def queue_messages(count: int) -> list[OutboxMessage]:
        with scopes_disabled():
            return OutboxMessage.objects.bulk_create(
                OutboxMessage(
                    organisation=org,
                    programme=programme,
                    template="bench",
                    to_email=f"b{i}@example.org",
                    to_name=f"Bewoner {i}",
                    subject=subject,
                    body_text=text,
                    body_html=html,
                )
                for i in range(count)
            )

    def wait_sent(messages, timeout=600) -> None:
        deadline = time.monotonic() + timeout
        with scopes_disabled():
            batch = OutboxMessage.objects.filter(
                pk__gte=min(m.pk for m in messages), pk__lte=max(m.pk for m in messages)
            )
            while True:
                done = batch.filter(status__in=["sent", "failed"]).count()
                if done == len(messages):
                    failed = batch.filter(status="failed").count()
                    assert not failed, f"{failed} messages failed"
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{done} of {len(messages)} sent")
                time.sleep(0.05)

    sink = SmtpSink()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    worker = start_worker(
        connection,
        redis_url=redis_url,
        queue=queue,
        concurrency=1,
        env={
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "DJANGO_LOG_LEVEL": "WARNING",
        },
    )
    sender = Celery(broker=redis_url, backend=redis_url)
    per_mail_n = max(20, n // 10)
    figures: dict[str, list[float]] = {"floor": [], "batch": [], "per_mail": []}
    sessions: dict[str, list[int]] = {"batch": [], "per_mail": []}
    try:
        sender.send_task("programmes.tasks.noop", queue=queue).get(timeout=60)  # warm up
        warm = queue_messages(10)
        sender.send_task(
            "programmes.tasks.outbox_flush", kwargs={"organisation_id": org.pk}, queue=queue
        )
        wait_sent(warm)
        for _round in range(rounds):
            start = time.perf_counter()
            results = [sender.send_task("programmes.tasks.noop", queue=queue) for _ in range(n)]
            for r in results:
                r.get(timeout=300)
            figures["floor"].append(n / (time.perf_counter() - start))

            messages = queue_messages(n)
            before = sink.sessions
            start = time.perf_counter()
            sender.send_task(
                "programmes.tasks.outbox_flush", kwargs={"organisation_id": org.pk}, queue=queue
            )
            wait_sent(messages)
            figures["batch"].append(n / (time.perf_counter() - start))
            sessions["batch"].append(sink.sessions - before)

            messages = queue_messages(per_mail_n)
            before = sink.sessions
            start = time.perf_counter()
            for m in messages:
                sender.send_task(
                    "programmes.tasks.outbox_send",
                    kwargs={"message_id": m.pk, "organisation_id": org.pk},
                    queue=queue,
                )
            wait_sent(messages)
            figures["per_mail"].append(per_mail_n / (time.perf_counter() - start))
            sessions["per_mail"].append(sink.sessions - before)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        sender.close()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)

    _sessions, message_ids = sink.stats()
    sink.close()
    twice = [mid for mid, count in message_ids.items() if count != 1]
    assert not twice, f"{len(twice)} messages arrived more than once"
    floor = statistics.median(figures["floor"])
    print(f"database: {connection.vendor}; {rounds} rounds, medians; one worker process")
    print(f"{'what':44} {'per s':>8} {'x floor':>8} {'SMTP sessions':>14}")
    print(f"{'floor: noop task':44} {floor:8.0f} {1:8.2f} {'':>14}")
    for key, label in (
        ("batch", f"outbox in batches ({n} mails)"),
        ("per_mail", f"outbox, one task per mail ({per_mail_n} mails)"),
    ):
        rate = statistics.median(figures[key])
        session = statistics.median(sessions[key])
        print(f"{label:44} {rate:8.0f} {floor / rate:8.2f} {session:14.0f}")
    rate = statistics.median(figures["batch"])
    verdict = "met" if rate > TARGET else "NOT met"
    print(f"target: over {TARGET} mails/s per worker: {verdict} ({rate:.0f}/s)")
    print(f"each of {sum(message_ids.values())} messages arrived exactly once")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 2000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 2,
    )

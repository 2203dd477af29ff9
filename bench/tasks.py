"""Throughput of real tasks through Redis and a real worker, against a trivial task.

Starts a Celery worker (2 prefork processes) on the project's code and sends, in one run:
N trivial tasks (the floor), N tenant-scoped tasks that query the database, N outbox messages
(rendered, claimed under a row lock, sent to an in-memory mail backend) and N/10 plan-of-
approach PDFs (WeasyPrint). Prints tasks per second and the ratio to the floor.
Needs Redis: REDIS_URL, or Redis on 127.0.0.1:6379. Run: .venv/bin/python bench/tasks.py [N]
"""

import os
import sys
import time
import uuid

from _setup import bench_programme, django_with_test_db, start_worker


def main(n: int) -> None:
    connection = django_with_test_db()

    from celery import Celery
    from django_scopes import scopes_disabled

    from programmes import services
    from programmes.mail import render_mail
    from programmes.models import Document, OutboxMessage

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    n_pdf = max(10, n // 10)
    org, leader, programme = bench_programme()
    with scopes_disabled():
        services.plan_generate(actor=leader, programme=programme)
        subject, text, html = render_mail(
            template="programmes/invitation",
            context={
                "invitation": {"name": "B"},
                "organisation": org,
                "link": "x",
                "role": "r",
                "valid_days": 14,
            },
            language="nl",
        )
        messages = OutboxMessage.objects.bulk_create(
            OutboxMessage(
                organisation=org,
                programme=programme,
                template="bench",
                to_email=f"b{i}@example.org",
                subject=subject,
                body_text=text,
                body_html=html,
            )
            for i in range(n)
        )
        documents = Document.objects.bulk_create(
            Document(organisation=org, programme=programme, kind="plan") for _ in range(n_pdf)
        )
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    worker = start_worker(connection, redis_url=redis_url, queue=queue)
    sender = Celery(broker=redis_url, backend=redis_url)
    try:
        sender.send_task("programmes.tasks.noop", queue=queue).get(timeout=60)  # warm up
        print(f"{'task':44} {'tasks/s':>8} {'ms/task':>8} {'x floor':>8}")
        floor = None
        cases = [
            ("floor: noop", "programmes.tasks.noop", [{}] * n),
            (
                "organisation_summary (scope + 3 queries)",
                "programmes.tasks.organisation_summary",
                [{"organisation_id": org.pk}] * n,
            ),
            (
                "outbox_send (claim, send, mark sent)",
                "programmes.tasks.outbox_send",
                [{"message_id": m.pk, "organisation_id": org.pk} for m in messages],
            ),
            (
                f"document_render: plan PDF (x{n_pdf})",
                "programmes.tasks.document_render",
                [{"document_id": d.pk, "organisation_id": org.pk} for d in documents],
            ),
        ]
        for label, name, kwargs_list in cases:
            start = time.perf_counter()
            results = [sender.send_task(name, kwargs=kw, queue=queue) for kw in kwargs_list]
            outcomes = [r.get(timeout=300) for r in results]
            elapsed = time.perf_counter() - start
            count = len(kwargs_list)
            per = elapsed / count * 1000
            floor = floor or per
            print(f"{label:44} {count / elapsed:8.0f} {per:8.2f} {per / floor:8.1f}")
            if name.endswith(("outbox_send", "document_render")):
                assert set(outcomes) <= {"sent", "ready"}, set(outcomes)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)

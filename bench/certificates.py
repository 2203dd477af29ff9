"""Certificates for a whole team through the real pipeline, against a trivial task.

Starts a Celery worker (2 prefork processes) on Redis and the project's code. The floor is
N trivial tasks sent and awaited. Then the trainer passes a team of N members in the
workshop: every pass issues a certificate; its PDF (WeasyPrint, QR code) is rendered by the
worker (handed over as the web process does on commit), which then queues the e-mail with
the PDF attached and sends it. The clock stops when every certificate mail is marked sent.
Prints wall time, time per certificate, the ratio to the floor and the worker's peak memory.
Needs Redis: REDIS_URL, or Redis on 127.0.0.1:6379. Run: .venv/bin/python bench/certificates.py [N]
"""

import datetime as dt
import os
import resource
import sys
import time
import uuid

from _setup import bench_programme, django_with_test_db, start_worker


def main(n: int) -> None:
    connection = django_with_test_db()
    from celery import Celery
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from config.celery import app
    from programmes import services
    from programmes.models import OutboxMessage
    from tests.factories import UserFactory
    from trainings import services as trainings
    from trainings.models import Certificate, Training

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    # Recording a pass queues the render on commit; here that dispatch goes to an in-memory
    # broker (not in-process), and the bench hands each render to the real worker itself.
    app.conf.update(task_always_eager=False, broker_url="memory://")
    org, leader, programme = bench_programme()
    with scopes_disabled():
        members = [
            UserFactory(role="team_member", organisation=org, name=f"Lid {i} van Noord")
            for i in range(n)
        ]
        for member in members:
            services.team_member_add(actor=leader, programme=programme, user=member)
        start = timezone.now() + dt.timedelta(days=3)
        track = trainings.track_create(
            actor=leader,
            programme=programme,
            location="Buurthuis",
            starts={k: start + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)},
        )
        workshop = next(t for t in track if t.kind == Training.Kind.WORKSHOP)

    worker = start_worker(connection, redis_url=redis_url, queue=queue)
    sender = Celery(broker=redis_url, backend=redis_url)
    try:
        sender.send_task("programmes.tasks.noop", queue=queue).get(timeout=60)  # warm up
        t0 = time.perf_counter()
        results = [sender.send_task("programmes.tasks.noop", queue=queue) for _ in range(n)]
        for r in results:
            r.get(timeout=60)
        floor = (time.perf_counter() - t0) / n * 1000

        t0 = time.perf_counter()
        with scopes_disabled():
            for member in members:
                trainings.assessment_record(
                    actor=leader, training=workshop, user=member, passed=True
                )
            assessed = time.perf_counter() - t0
            # Hand each certificate's render to the worker, as the web process does on commit.
            for document_id in Certificate.objects.values_list("document_id", flat=True):
                sender.send_task(
                    "programmes.tasks.document_render",
                    kwargs={"document_id": document_id, "organisation_id": org.pk},
                    queue=queue,
                )
            deadline = time.monotonic() + 300
            while True:
                sent = OutboxMessage.objects.filter(
                    template="trainings/certificate", status=OutboxMessage.Status.SENT
                ).count()
                if sent == n or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - t0
            certificates = Certificate.objects.filter(document__status="ready").count()
        if sent != n or certificates != n:
            with scopes_disabled():
                from programmes.models import Document

                print(list(Document.objects.values_list("kind", "status", "error")))
            raise SystemExit(f"only {certificates} PDFs and {sent} mails of {n} were done")
        per = elapsed / n * 1000
        print(f"{'case':52} {'total s':>8} {'ms each':>8} {'x floor':>8}")
        print(f"{'floor: noop task round trip':52} {floor * n / 1000:8.2f} {floor:8.2f} {1:8.1f}")
        print(
            f"{f'certificates: {n} passes -> PDF -> mail sent':52} "
            f"{elapsed:8.2f} {per:8.2f} {per / floor:8.1f}"
        )
        print(f"  recording {n} assessments in the request path took {assessed * 1000:.0f} ms")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"  worker peak memory (largest process): {children:.0f} MB")
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)

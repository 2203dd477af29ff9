"""Throughput of real tasks through Redis and a real worker, against a trivial task.

Starts a Celery worker (2 prefork processes) on the project's code, sends N trivial tasks
(the floor) and N tenant-scoped tasks that query the database, and prints tasks per second.
Needs Redis: REDIS_URL, or Redis on 127.0.0.1:6379. Run: .venv/bin/python bench/tasks.py [N]
"""

import os
import subprocess
import sys
import time
import uuid

from _setup import ROOT, django_with_test_db


def main(n: int) -> None:
    connection = django_with_test_db()
    from celery import Celery

    from programmes.models import Organisation

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    consultancy = Organisation.objects.create(name="Bureau", slug="bureau", kind="consultancy")
    org = Organisation.objects.create(
        name="Gemeente", slug="gemeente", kind="municipality", consultancy=consultancy
    )
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        db_url = f"sqlite:///{s['NAME']}"
    else:
        db_url = (
            f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        )
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "DATABASE_URL": db_url,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency=2",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    sender = Celery(broker=redis_url, backend=redis_url)
    try:
        sender.send_task("programmes.tasks.noop", queue=queue).get(timeout=60)  # warm up
        print(f"{'task':44} {'tasks/s':>8} {'ms/task':>8} {'x floor':>8}")
        floor = None
        for label, name, kwargs in [
            ("floor: noop", "programmes.tasks.noop", {}),
            (
                "organisation_summary (scope + 3 queries)",
                "programmes.tasks.organisation_summary",
                {"organisation_id": org.pk},
            ),
        ]:
            start = time.perf_counter()
            results = [sender.send_task(name, kwargs=kwargs, queue=queue) for _ in range(n)]
            for r in results:
                r.get(timeout=120)
            elapsed = time.perf_counter() - start
            per = elapsed / n * 1000
            floor = floor or per
            print(f"{label:44} {n / elapsed:8.0f} {per:8.2f} {per / floor:8.1f}")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        connection.creation.destroy_test_db(s["NAME"], verbosity=0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)

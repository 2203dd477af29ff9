"""A real task through a real Redis broker to a real Celery worker process, and back.

The test process sends with a Celery app of its own (switching the project app's broker inside
pytest hangs); the worker runs the project's code against the same test database, inside the
tenant scope its task base class sets up.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from programmes.models import Organisation

from .worker_support import free_port, ping

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("CI_REQUIRE_WORKER") == "1"


@pytest.fixture(scope="module")
def redis_url():
    """REDIS_URL, or Redis on 127.0.0.1:6379, or a private redis-server started here."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    if ping(6379):
        yield "redis://127.0.0.1:6379/15"
        return
    binary = shutil.which("redis-server")
    if binary is None:
        if REQUIRED:
            pytest.fail("Redis is required for the worker test (CI_REQUIRE_WORKER=1)")
        pytest.skip("no Redis available")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        if ping(port):
            break
        time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def _database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(redis_url, transactional_db):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sender = Celery(broker=redis_url, backend=redis_url, set_as_current=False)
    yield sender, queue, proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.worker
def test_task_runs_in_a_real_worker_through_redis(worker):
    sender, queue, proc = worker
    consultancy = Organisation.objects.create(name="Bureau", slug="bureau", kind="consultancy")
    org = Organisation.objects.create(
        name="Gemeente Werk", slug="gemeente-werk", kind="municipality", consultancy=consultancy
    )
    result = sender.send_task(
        "programmes.tasks.organisation_summary",
        kwargs={"organisation_id": org.pk},
        queue=queue,
    )
    try:
        summary = result.get(timeout=60)
    except Exception:
        proc.terminate()
        print(proc.stdout.read())
        raise
    assert summary["organisation"] == "gemeente-werk"
    assert summary["audit_entries"] == 0 and summary["invitations"] == 0
    assert summary["worker"] not in ("eager", "", None)  # it ran in the worker, not here

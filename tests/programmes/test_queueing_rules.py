"""Work is handed to the queue only through programmes/queueing.py (which never fails the
request when Redis is away), and Celery is set up without a result store."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["config", "programmes", "recruitment", "trainings", "patrols", "reporting"]
DIRECT = re.compile(r"\.(delay|apply_async|send_task)\(")


def test_tasks_are_queued_only_through_the_queueing_helper():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path == ROOT / "programmes" / "queueing.py" or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if DIRECT.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_no_result_store_is_configured_for_production():
    for name in ("docker-compose.yml", ".env.example"):
        assert "CELERY_RESULT_BACKEND" not in (ROOT / name).read_text(), name
    code = (
        "from django.conf import settings; import django; django.setup(); "
        "print(settings.CELERY_RESULT_BACKEND, settings.CELERY_TASK_IGNORE_RESULT, "
        "settings.SESSION_ENGINE)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
        "REDIS_URL": "redis://127.0.0.1:1/1",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    # No result backend, results ignored, and sessions in the database (a Redis outage never
    # logs anyone out).
    assert done.stdout.split() == ["None", "True", "django.contrib.sessions.backends.db"]

"""Without a broker the serving process runs the periodic jobs itself: each due job of the
beat schedule runs on a tick, one not yet due is skipped, a failing job never stops the
others, and a held decision mail leaves once its time has passed."""

from datetime import timedelta

import pytest
from celery import shared_task
from celery.schedules import crontab
from django.utils import timezone

from programmes import inprocess_beat
from programmes.inprocess_beat import InProcessBeat
from programmes.mail import mail_hold, mail_queue
from programmes.models import OutboxMessage

RAN = []


@shared_task(name="tests.beat.ok")
def _ok(label="ok"):
    RAN.append(label)


@shared_task(name="tests.beat.broken")
def _broken():
    RAN.append("broken")
    raise RuntimeError("the job broke")


@pytest.fixture(autouse=True)
def _clear():
    RAN.clear()


def test_due_jobs_run_and_the_others_wait(caplog):
    beat = InProcessBeat(
        schedule={
            "often": {"task": "tests.beat.ok", "schedule": 30, "kwargs": {"label": "often"}},
            "daily": {"task": "tests.beat.ok", "schedule": 86400, "kwargs": {"label": "daily"}},
            "nightly": {"task": "tests.beat.ok", "schedule": crontab(minute=0, hour=3)},
        }
    )
    # Interval jobs run on the first tick; the crontab job waits for its hour.
    assert beat.tick() == ["often", "daily"] and RAN == ["often", "daily"]
    assert beat.tick() == []  # nothing is due again yet
    often, daily, nightly = beat.entries
    often["last_run_at"] -= timedelta(seconds=31)
    daily["last_run_at"] -= timedelta(hours=23)  # not yet a day
    nightly["last_run_at"] -= timedelta(days=1)  # its 3 o'clock has passed since
    assert beat.tick() == ["often", "nightly"]
    assert RAN == ["often", "daily", "often", "ok"]


def test_a_failing_job_is_logged_and_the_others_still_run(caplog):
    beat = InProcessBeat(
        schedule={
            "first": {"task": "tests.beat.broken", "schedule": 30},
            "unknown": {"task": "tests.beat.no_such_task", "schedule": 30},
            "last": {"task": "tests.beat.ok", "schedule": 30},
        }
    )
    assert beat.tick() == ["first", "unknown", "last"]
    assert RAN == ["broken", "ok"]
    failed = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage() for r in failed] == [
        "Periodic job first failed",
        "Periodic job unknown failed",
    ]
    # It is tried again when next due, not at every tick.
    assert beat.tick() == []
    beat.entries[0]["last_run_at"] -= timedelta(seconds=31)
    assert beat.tick() == ["first"]


def test_the_schedule_of_the_settings_sends_a_held_mail_once_due(
    world, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        mail_hold(ref="test.decision:1", seconds=300),
    ):
        message = mail_queue(
            organisation=world.client,
            to="bewoner@example.org",
            to_name="Bewoner",
            template="programmes/meeting_reminder",
            context={"invitee": {"name": "Bewoner"}, "meeting": {"title": "Bijeenkomst"}},
        )
    beat = InProcessBeat()  # CELERY_BEAT_SCHEDULE, as quickstart runs it
    assert "outbox-send-due" in beat.tick()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED and mailoutbox == []

    OutboxMessage.objects.filter(pk=message.pk).update(
        send_after=timezone.now() - timedelta(seconds=1)
    )
    for entry in beat.entries:
        entry["last_run_at"] -= timedelta(seconds=31)
    assert "outbox-send-due" in beat.tick()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert [m.to for m in mailoutbox] == [["Bewoner <bewoner@example.org>"]]


def test_started_only_without_a_broker_and_once(settings, monkeypatch):
    started = []

    class FakeThread:
        def __init__(self, target, name, daemon):
            assert daemon
            self.alive = False

        def start(self):
            started.append(self)
            self.alive = True

        def is_alive(self):
            return self.alive

    monkeypatch.setattr(inprocess_beat.threading, "Thread", FakeThread)
    monkeypatch.setattr(inprocess_beat, "_thread", None)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert inprocess_beat.start() is None and started == []
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert inprocess_beat.start() is not None
    assert inprocess_beat.start() is None  # already running
    assert len(started) == 1


def test_quickstart_starts_the_jobs_in_the_serving_process_only(db, monkeypatch):
    from django.conf import settings
    from django.core.management import call_command

    from programmes.management.commands import quickstart

    monkeypatch.setenv("SITE_URL", settings.SITE_URL)  # quickstart sets both; restored after
    monkeypatch.setattr(settings, "SITE_URL", settings.SITE_URL)
    starts = []
    monkeypatch.setattr(inprocess_beat, "start", lambda **k: starts.append(1))
    monkeypatch.setattr(quickstart, "call_command", lambda *a, **k: None)
    monkeypatch.setenv("RUN_MAIN", "true")  # the autoreloader's child: it serves
    call_command("quickstart", addrport="127.0.0.1:8110")
    assert starts == [1]
    monkeypatch.delenv("RUN_MAIN")  # the parent only sets up and watches files
    call_command("quickstart", addrport="127.0.0.1:8110")
    assert starts == [1]


def test_a_fresh_web_process_finds_every_scheduled_task():
    # The tasks modules load lazily; the beat of a web process that never imported them must
    # still find each task of the schedule.
    import subprocess
    import sys

    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from programmes.inprocess_beat import InProcessBeat\n"
        "beat = InProcessBeat()\n"
        "missing = [e['task'] for e in beat.entries if e['task'] not in beat.app.tasks]\n"
        "print(missing or 'ok', len(settings.CELERY_BEAT_SCHEDULE))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "ok"

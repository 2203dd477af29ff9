"""Periodic jobs without a broker: `celery beat` in a thread of the web process.

With the embedded defaults (no CELERY_BROKER_URL) tasks run in-process and no beat runs, so
nothing periodic would ever happen: held decision mails would stay queued and no reminders
would go out. `quickstart` therefore starts `start()` in the serving process: one daemon
thread that wakes every TICK_SECONDS and runs each entry of CELERY_BEAT_SCHEDULE that is due,
using Celery's own schedule objects (an interval in seconds, a timedelta or a crontab).

Interval jobs run on the first tick and then once per interval; crontab jobs when their time
comes. A job that fails is logged and tried again when it is next due; it never stops the
thread or the other jobs. With a broker, run `celery beat` instead: this is not started.
"""

import logging
import threading

from celery import current_app
from celery.schedules import crontab, maybe_schedule
from django.conf import settings
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

TICK_SECONDS = 30

_started = threading.Lock()
_thread: threading.Thread | None = None


class InProcessBeat:
    """Runs the due entries of a beat schedule: `tick()` once, or `run()` until stopped."""

    def __init__(self, *, app=None, schedule: dict | None = None, tick_seconds=TICK_SECONDS):
        self.app = app or current_app._get_current_object()
        # The tasks modules are found lazily (on a worker's start); a web process has to ask.
        self.app.autodiscover_tasks(force=True)
        self.tick_seconds = tick_seconds
        self.stopped = threading.Event()
        entries = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
        now = self.app.now()
        self.entries = []
        for name, entry in entries.items():
            when = maybe_schedule(entry["schedule"], app=self.app)
            self.entries.append(
                {
                    "name": name,
                    "task": entry["task"],
                    "args": tuple(entry.get("args", ())),
                    "kwargs": dict(entry.get("kwargs", {})),
                    "schedule": when,
                    # Crontab jobs wait for their time; interval jobs are due at once.
                    "last_run_at": now if isinstance(when, crontab) else None,
                }
            )

    def due(self, entry) -> bool:
        if entry["last_run_at"] is None:
            return True
        is_due, _next_check = entry["schedule"].is_due(entry["last_run_at"])
        return is_due

    def tick(self) -> list[str]:
        """Run every entry that is due; returns the names of those that ran (failed or not)."""
        ran = []
        for entry in self.entries:
            try:
                if not self.due(entry):
                    continue
                entry["last_run_at"] = self.app.now()
                ran.append(entry["name"])
                self.app.tasks[entry["task"]].apply(
                    args=entry["args"], kwargs=entry["kwargs"], throw=True
                )
            except Exception:
                logger.exception("Periodic job %s failed", entry["name"])
        return ran

    def run(self) -> None:
        """Tick until `stopped` is set; each tick's database connections are closed after it."""
        while not self.stopped.is_set():
            try:
                close_old_connections()
                self.tick()
            except Exception:  # pragma: no cover - tick() already logs each job
                logger.exception("Periodic jobs failed")
            finally:
                connections.close_all()
            self.stopped.wait(self.tick_seconds)


def start(*, tick_seconds=TICK_SECONDS) -> InProcessBeat | None:
    """Start the periodic jobs in a daemon thread of this process, once; only when tasks run
    in-process (no broker). Returns the beat, or None when not started."""
    global _thread
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    with _started:
        if _thread is not None and _thread.is_alive():
            return None
        beat = InProcessBeat(tick_seconds=tick_seconds)
        _thread = threading.Thread(target=beat.run, name="inprocess-beat", daemon=True)
        _thread.start()
    logger.info("Periodic jobs run in this process every %s s", tick_seconds)
    return beat

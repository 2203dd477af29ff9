"""Shared set-up for the benchmark scripts: Django on a throwaway test database."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def django_with_test_db():
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return connection


def production_rendering() -> None:
    """Undo the test environment's template instrumentation: it sends a signal with a copy of
    the context for every template rendered (for `response.context` in tests), which a server
    never does; left on, it bills every template-heavy page against a floor that renders none."""
    from django.template.base import PartialTemplate, Template
    from django.test.utils import _TestState

    Template._render = _TestState.saved_data.template_render
    PartialTemplate._render = _TestState.saved_data.partial_template_render


def with_floor_page() -> str:
    """Serve `bench/floor_urls.py` (the application plus the floor page) and return the floor
    page's URL: a trivial view behind the same login, two-factor and permission checks as
    every page."""
    from django.conf import settings
    from django.urls import clear_url_caches

    settings.ROOT_URLCONF = "floor_urls"
    clear_url_caches()
    return url("bench_floor")


def timed(fn, n: int) -> dict:
    """Run fn n times (after 3 warm-ups); return p50/p95 in milliseconds."""
    for _ in range(3):
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[int(len(samples) * 0.95) - 1],
        "n": n,
    }


def bench_programme():
    """(client organisation, project leader, programme) on the test database."""
    import datetime as dt

    from django_scopes import scopes_disabled

    from programmes import services
    from programmes.models import Organisation
    from tests.factories import UserFactory

    with scopes_disabled():
        consultancy = Organisation.objects.create(name="Bureau", slug="bureau", kind="consultancy")
        org = Organisation.objects.create(
            name="Gemeente", slug="gemeente", kind="municipality", consultancy=consultancy
        )
        leader = UserFactory(role="project_leader", organisation=consultancy)
        programme = services.programme_create(
            actor=leader,
            client=org,
            project_leaders=[leader],
            name="Team Noord",
            neighbourhood="Noord",
            municipality="Stad",
            start_date=dt.date(2026, 9, 7),
        )
    return org, leader, programme


def start_worker(connection, *, redis_url: str, queue: str, concurrency: int = 2, env=None):
    """A Celery worker (`concurrency` prefork processes) on the test database, consuming
    `queue`; mail goes to memory unless `env` says otherwise (extra environment variables)."""
    import subprocess

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        db_url = f"sqlite:///{s['NAME']}"
    else:
        db_url = (
            f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DATABASE_URL": db_url,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **(env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", f"--concurrency={concurrency}"]
        + ["-Q", queue, "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT,
        env=env,
    )


def interleaved(floor, fn, *, rounds: int, budget_s: float = 60.0) -> tuple[float, float]:
    """Median ms of `floor` and of `fn`, measured A B A B in the same loop (one warm-up each),
    so a busy machine slows both alike; stops early (after 3 rounds) past `budget_s`."""
    floor()
    fn()
    a, b = [], []
    began = time.perf_counter()
    for i in range(rounds):
        for f, out in ((floor, a), (fn, b)):
            start = time.perf_counter()
            f()
            out.append((time.perf_counter() - start) * 1000)
        if i >= 2 and time.perf_counter() - began > budget_s:
            break
    return statistics.median(a), statistics.median(b)


def url(name: str, **kwargs) -> str:
    """Reverse `name`, trying the app-namespaced name first (`patrols:programme_rounds`) and
    the bare one after, so a script keeps working while the URL names move into namespaces."""
    from django.urls import NoReverseMatch, reverse

    app, _, bare = name.rpartition(":")
    for candidate in (name, bare) if app else (name,):
        try:
            return reverse(candidate, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(name)

"""Signal submissions under load: gunicorn on PostgreSQL, driven from loopback.

Starts gunicorn (2 sync workers, like the measured floors in the project notes) on a fresh
PostgreSQL database, logs a team member in, and for a fixed time per scenario sends, from
8 concurrent keep-alive connections:
  floor:  GET /home/ (a trivial logged-in view: session, user, redirect)
  signal: POST a new signal as JSON (a fresh phone-made id every time)
  photo:  POST a photo (a 1600x1200 JPEG) to a signal made beforehand
Prints requests per second and p50/p95/p99 latency, and each scenario's p95 as a multiple of
the floor's measured right before it (after a short warm-up of both workers).

A photo is re-encoded by a task queued after commit. As in production, gunicorn hands it to
a broker (Redis, BENCH_REDIS) and one Celery worker process on this machine does the work
while the scenarios run (BENCH_PHOTO_WORKER=0: no worker, the tasks wait in the queue); the
end prints how many photos were processed. Without Redis, tasks run in-process (eagerly), in
the request's own time, as they do in a checkout without a broker.

Run: .venv/bin/python bench/signals_load.py [seconds per scenario, default 10]
Needs PostgreSQL on 127.0.0.1 (DATABASE_URL's server, user postgres by default).
"""

import http.client
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = f"bewonersteam_bench_{os.getpid()}"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
QUEUE = f"bench-signals-{os.getpid()}"


def broker_env() -> dict:
    """The broker settings for gunicorn and the worker, or {} (eager tasks) without Redis."""
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - no Redis: tasks run in-process
        print("(no Redis at BENCH_REDIS: tasks run in-process, in the request's time)")
        return {}
    return {"CELERY_BROKER_URL": REDIS, "CELERY_TASK_DEFAULT_QUEUE": QUEUE}


def start_worker(broker: dict):
    if not broker or os.environ.get("BENCH_PHOTO_WORKER", "1") == "0":
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1"]
        + ["-Q", QUEUE, "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", **broker},
    )


def photo_counts() -> dict:
    from django.db.models import Count
    from django_scopes import scopes_disabled

    from patrols.models import SignalPhoto

    with scopes_disabled():
        rows = SignalPhoto.objects.values("status").annotate(n=Count("id"))
        return {row["status"]: row["n"] for row in rows}


def setup_database():
    subprocess.run(["psql", PG + "/postgres", "-qc", f"CREATE DATABASE {DB}"], check=True)
    os.environ.update(
        DATABASE_URL=f"{PG}/{DB}",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_SECRET_KEY="bench-" + "x" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        MAP_TILE_URL="",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_world():
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_scopes import scopes_disabled

    from patrols import services as patrols
    from programmes import services
    from programmes.models import Organisation, User
    from programmes.permissions import Role

    with scopes_disabled():
        consultancy = Organisation.objects.create(name="Bureau", slug="bureau", kind="consultancy")
        client = Organisation.objects.create(
            name="Gemeente", slug="gemeente", kind="municipality", consultancy=consultancy
        )
        leader = User.objects.create_user(
            "pl@bench.example", "x", name="PL", role=Role.PROJECT_LEADER, organisation=consultancy
        )
        member = User.objects.create_user(
            "lid@bench.example", "x", name="Lid", role=Role.TEAM_MEMBER, organisation=client
        )
        programme = services.programme_create(
            actor=leader,
            client=client,
            project_leaders=[leader],
            name="Team",
            neighbourhood="Wijk",
            municipality="Stad",
            start_date=dt.date(2026, 9, 7),
        )
        roster = services.team_member_add(actor=leader, programme=programme, user=member)
        services.team_member_set_ready(actor=leader, member=roster, ready=True)
        category = patrols.categories_ensure(programme=programme)[0]
        photo_signals = [
            patrols.signal_report(
                actor=member,
                programme=programme,
                uuid=uuid.uuid4(),
                category=category,
                description="Voor foto's",
                reported_at=dt.datetime.now(dt.UTC),
                street="Laan",
            )[0].uuid
            for _ in range(50)
        ]
    session = SessionStore()
    session[SESSION_KEY] = str(member.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.create()
    return session.session_key, programme.pk, category.pk, photo_signals


def start_gunicorn(broker: dict):
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", **broker},
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/health/")
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def run(seconds, make_request, connections=8):
    """Send requests from `connections` threads for `seconds`; return (count, latencies, errors)."""
    latencies, errors, lock = [], [], threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine, bad = [], 0
        while time.perf_counter() < deadline:
            method, path, body, headers, expected = make_request()
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status not in expected:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors.append(bad)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - started), latencies, sum(errors)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def main(seconds: int) -> None:
    setup_database()
    session_key, programme, category, photo_signals = make_world()
    broker = broker_env()
    server = start_gunicorn(broker)
    worker = start_worker(broker)
    csrf = "b" * 32
    cookies = f"sessionid={session_key}; csrftoken={csrf}"
    base_headers = {"Cookie": cookies, "X-CSRFToken": csrf, "Host": "127.0.0.1"}
    from PIL import Image

    jpeg = io.BytesIO()
    Image.effect_noise((1600, 1200), 40).convert("RGB").save(jpeg, format="JPEG", quality=85)
    boundary = "benchboundary"
    photo_counter = iter(range(10**9))

    def floor():
        return "GET", "/home/", None, base_headers, (302,)

    def signal():
        body = json.dumps(
            {
                "id": str(uuid.uuid4()),
                "programme": programme,
                "category": category,
                "description": "Grofvuil bij de container",
                "street": "Lindelaan",
                "house_number": "12",
                "reported_at": "2026-11-20T10:00:00+01:00",
            }
        )
        headers = {**base_headers, "Content-Type": "application/json"}
        return "POST", "/team/gemeente/api/signals/", body, headers, (201,)

    def photo():
        signal_uuid = photo_signals[next(photo_counter) % len(photo_signals)]
        body = (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="id"\r\n\r\n'
                f"{uuid.uuid4()}\r\n--{boundary}\r\n"
                'Content-Disposition: form-data; name="image"; filename="p.jpg"\r\n'
                "Content-Type: image/jpeg\r\n\r\n"
            ).encode()
            + jpeg.getvalue()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {**base_headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return "POST", f"/team/gemeente/api/signals/{signal_uuid}/photos/", body, headers, (201,)

    try:
        # Warm both workers first (imports, URLconf, templates on the first request), so the
        # first scenario does not pay for them.
        for make in (floor, signal, photo):
            run(1, make, connections=2)
        columns = ("req/s", "p50 ms", "p95 ms", "p99 ms", "p95 x floor")
        print(f"{'scenario':44} " + " ".join(f"{c:>8}" for c in columns) + f" {'errors':>7}")
        # The floor is measured again right before each scenario (the machine's load moves),
        # and each scenario's p95 is compared with the floor measured just before it.
        floor_label = "floor: GET /home/ (logged in)"
        for label, make in [
            ("POST signal (JSON)", signal),
            (f"POST photo ({len(jpeg.getvalue()) // 1024} KB JPEG)", photo),
        ]:
            floor_p95 = None
            for name, scenario in ((floor_label, floor), (label, make)):
                rate, latencies, errors = run(seconds, scenario)
                p95 = percentile(latencies, 0.95)
                floor_p95 = floor_p95 or p95
                print(
                    f"{name:44} {rate:8.0f} {percentile(latencies, 0.5):8.1f} "
                    f"{p95:8.1f} {percentile(latencies, 0.99):8.1f} "
                    f"{p95 / floor_p95:8.1f} {errors:7d}"
                )
        print(f"(p50 over all: {statistics.median(latencies) * 1000:.1f} ms in the last scenario)")
        mode = "in-process" if not broker else "worker" if worker else "queued, no worker"
        print(f"photos ({mode}) right after the run: {photo_counts()}")
        if worker:
            drain = float(os.environ.get("BENCH_DRAIN_SECONDS", "20"))
            time.sleep(drain)
            print(f"photos {drain:.0f} s later: {photo_counts()}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if worker:
            worker.terminate()
            worker.wait(timeout=30)
        if broker:
            import redis

            redis.Redis.from_url(REDIS).delete(QUEUE)
        from django.db import connections

        connections.close_all()
        subprocess.run(
            ["psql", PG + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"],
            check=False,
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)

"""Signal submissions under load: gunicorn on PostgreSQL, driven from loopback.

Starts gunicorn (2 sync workers, like the measured floors in the project notes) on a fresh
PostgreSQL database, logs a team member in, and sends, from 8 concurrent keep-alive
connections, each scenario for a fixed time, in ROUNDS rounds (A B C D A B C D ...):
  floor:        GET /home/ (a trivial logged-in view: session, user, redirect)
  signal:       POST a new signal as JSON (a fresh phone-made id every time)
  photo (form): POST a photo (a 1600x1200 JPEG of about 1 MB) as a multipart form, the way
                the app sent it before (an older page's outbox still may)
  photo (body): POST the same photo as the request body (`Content-Type: image/jpeg`, its id
                in the address), the way the app sends it now: no form to parse
Each photo goes to a signal of its own (made beforehand). Prints, per round, requests per
second and p50/p95/p99 latency and each scenario's p95 as a multiple of the floor's p95 of
the same round; then the median of those ratios over the rounds, against the targets.

A photo is re-encoded by a task queued after commit. As in production, gunicorn hands it to
a broker (Redis, BENCH_REDIS) and one Celery worker process does the work. On a machine of
its own the worker would not take the web server's cores; here it shares 2 cores with
gunicorn, PostgreSQL and this driver, so by default it runs at the lowest priority
(BENCH_PHOTO_WORKER=nice: `nice -n 19`, it uses the time the requests leave over). Other
modes: BENCH_PHOTO_WORKER=same (the worker at the requests' priority, taking about a core
while photos come in), BENCH_PHOTO_WORKER=0 (no worker: the tasks wait in the queue). The end
prints how many photos were processed and how long the queue took to drain. Without Redis,
tasks run in-process (eagerly), in the request's own time, as in a checkout without a broker.

Run: .venv/bin/python bench/signals_load.py [seconds per scenario, default 5] [rounds, 3]
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
PHOTO_SIGNALS = 6000


def broker_env() -> dict:
    """The broker settings for gunicorn and the worker, or {} (eager tasks) without Redis."""
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - no Redis: tasks run in-process
        print("(no Redis at BENCH_REDIS: tasks run in-process, in the request's time)")
        return {}
    return {"CELERY_BROKER_URL": REDIS, "CELERY_TASK_DEFAULT_QUEUE": QUEUE}


WORKER_MODE = os.environ.get("BENCH_PHOTO_WORKER", "nice")


def start_worker(broker: dict):
    if not broker or WORKER_MODE == "0":
        return None
    prefix = ["nice", "-n", "19"] if WORKER_MODE == "nice" else []
    return subprocess.Popen(
        prefix
        + [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1"]
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
    from patrols.models import Signal
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
        first = patrols.signal_report(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            category=category,
            description="Voor foto's",
            reported_at=dt.datetime.now(dt.UTC),
            street="Laan",
        )[0]
        # A signal for every photo sent (a signal takes at most a few): copies of the first.
        fields = {
            f.attname: getattr(first, f.attname)
            for f in Signal._meta.concrete_fields
            if not f.primary_key and f.name != "uuid"
        }
        copies = [Signal(**fields, uuid=uuid.uuid4()) for _ in range(PHOTO_SIGNALS - 1)]
        Signal.objects.bulk_create(copies, batch_size=1000)
        photo_signals = [first.uuid] + [c.uuid for c in copies]
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


TARGETS = {"signal": 2.0, "photo (form)": 3.0, "photo (body)": 3.0}


def main(seconds: int, rounds: int) -> None:
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
    photo_bytes = jpeg.getvalue()
    boundary = "benchboundary"
    photo_counter = iter(range(10**9))
    counter_lock = threading.Lock()

    def next_signal():
        with counter_lock:
            return photo_signals[next(photo_counter) % len(photo_signals)]

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

    def photo_form():
        body = (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="id"\r\n\r\n'
                f"{uuid.uuid4()}\r\n--{boundary}\r\n"
                'Content-Disposition: form-data; name="image"; filename="p.jpg"\r\n'
                "Content-Type: image/jpeg\r\n\r\n"
            ).encode()
            + photo_bytes
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {**base_headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return "POST", f"/team/gemeente/api/signals/{next_signal()}/photos/", body, headers, (201,)

    def photo_body():
        path = f"/team/gemeente/api/signals/{next_signal()}/photos/{uuid.uuid4()}/"
        headers = {**base_headers, "Content-Type": "image/jpeg"}
        return "POST", path, photo_bytes, headers, (201,)

    kb = len(photo_bytes) // 1024
    scenarios = [
        ("floor", "floor: GET /home/ (logged in)", floor),
        ("signal", "POST signal (JSON)", signal),
        ("photo (form)", f"POST photo, {kb} KB JPEG as a form", photo_form),
        ("photo (body)", f"POST photo, {kb} KB JPEG as the body", photo_body),
    ]
    ratios = {key: [] for key, _label, _make in scenarios[1:]}
    p95s = {key: [] for key, _label, _make in scenarios}
    mode = {"nice": "worker at nice 19", "same": "worker at normal priority", "0": "no worker"}
    mode = "in-process" if not broker else mode.get(WORKER_MODE, WORKER_MODE)
    try:
        # Warm both workers first (imports, URLconf, templates on the first request), so the
        # first scenario does not pay for them.
        for _key, _label, make in scenarios:
            run(1, make, connections=2)
        columns = ("req/s", "p50 ms", "p95 ms", "p99 ms", "p95 x floor")
        print(f"photo re-encoding: {mode}; {seconds} s per scenario, {rounds} rounds")
        print(f"{'scenario':44} " + " ".join(f"{c:>8}" for c in columns) + f" {'errors':>7}")
        for number in range(1, rounds + 1):
            print(f"-- round {number}")
            floor_p95 = None
            for key, label, make in scenarios:
                rate, latencies, errors = run(seconds, make)
                p95 = percentile(latencies, 0.95)
                floor_p95 = floor_p95 or p95
                p95s[key].append(p95)
                if key != "floor":
                    ratios[key].append(p95 / floor_p95)
                print(
                    f"{label:44} {rate:8.0f} {percentile(latencies, 0.5):8.1f} "
                    f"{p95:8.1f} {percentile(latencies, 0.99):8.1f} "
                    f"{p95 / floor_p95:8.1f} {errors:7d}"
                )
        print(f"-- median over {rounds} rounds (p95 of each scenario / the floor's, same round)")
        print(f"floor p95: {statistics.median(p95s['floor']):.1f} ms")
        for key, values in ratios.items():
            median = statistics.median(values)
            verdict = "met" if median <= TARGETS[key] else "NOT met"
            print(
                f"{key:14} p95 {statistics.median(p95s[key]):7.1f} ms  ratio {median:4.1f}x "
                f"(rounds: {', '.join(f'{v:.1f}' for v in values)})  "
                f"target {TARGETS[key]:.0f}x: {verdict}"
            )
        print(f"photos ({mode}) right after the run: {photo_counts()}")
        if worker:
            drain = float(os.environ.get("BENCH_DRAIN_SECONDS", "120"))
            started = time.perf_counter()
            while time.perf_counter() - started < drain:
                if not photo_counts().get("processing"):
                    break
                time.sleep(1)
            print(
                f"photos {time.perf_counter() - started:.0f} s later (the queue drained, or "
                f"BENCH_DRAIN_SECONDS passed): {photo_counts()}"
            )
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
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 5,
        int(sys.argv[2]) if len(sys.argv) > 2 else 3,
    )

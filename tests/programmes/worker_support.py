"""Shared pieces of the worker tests: a private Redis the test may stop and start, a real
Celery worker process on the test database, and a Django process of its own (the web side or a
sweep) that queues through that Redis.

The test process itself runs tasks in-process (config/settings/test.py) and never switches its
own Celery app to a broker (that hangs inside pytest): anything that must queue through Redis
runs in a subprocess started here.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("CI_REQUIRE_WORKER") == "1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ping(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class PrivateRedis:
    """A redis-server of this test alone on a free port, without persistence: stopping it
    loses what it held, as an outage of a broker without a disk would."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            if REQUIRED:
                pytest.fail("redis-server is required for the worker tests (CI_REQUIRE_WORKER=1)")
            pytest.skip("no redis-server available")
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not ping(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("the private redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture(scope="module")
def private_redis():
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()


def database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def project_env(redis_url: str, queue: str, **extra: str) -> dict:
    """The environment of a project process (worker, web side, sweep) on the test database
    whose tasks go through `redis_url` to `queue`; its cache is in the same Redis (another
    database number), so stopping that Redis takes the cache away too. No result backend,
    as in production."""
    base = {k: v for k, v in os.environ.items() if k != "CELERY_RESULT_BACKEND"}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "CELERY_BROKER_URL": redis_url,
        "REDIS_URL": redis_url.rsplit("/", 1)[0] + "/1",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        **extra,
    }


def new_queue() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


def start_worker(env: dict) -> subprocess.Popen:
    """A Celery worker (one process, solo pool) on the queue named in `env`."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
        + ["--concurrency=1", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"]]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(proc: subprocess.Popen) -> str:
    """Stop the worker (if still running) and return what it printed."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    return proc.stdout.read() if proc.stdout else ""


def run_django(code: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `code` in a fresh Django process with `env`; fails the test when it fails."""
    script = "import django\ndjango.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        pytest.fail(f"subprocess failed:\n{done.stdout}\n{done.stderr}")
    return done


def wait_for(condition, timeout: float = 30, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()

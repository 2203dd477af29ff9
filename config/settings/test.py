"""Tests: fast hashing, mail in memory, eager tasks unless a test starts its own worker.

The database comes from DATABASE_URL when set (CI runs PostgreSQL), else SQLite."""

import os
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production-use-0123456789abcdef"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
DECISION_UNDO_SECONDS = 0  # a test that undoes a decision sets a hold itself
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", str(BASE_DIR / "var" / "test-media")))  # noqa: F405
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# A file, not memory, for the SQLite test database: the worker test starts a real Celery
# worker process that must see the same database. TEST_SQLITE_NAME lets two test runs in one
# checkout keep apart.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("TEST_SQLITE_NAME", str(BASE_DIR / "var" / "test.sqlite3"))  # noqa: F405
    }

# The dashboard computes its figures on every request unless a test turns its cache on.
REPORTING_DASHBOARD_CACHE_SECONDS = 0

# Tests never reach out to a tile server.
MAP_TILE_URL = ""

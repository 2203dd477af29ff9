"""A Redis cache that never fails a request because Redis is away.

The cache only holds what can be lost: login and public-form rate limits, used TOTP codes.
When Redis cannot be reached, each call is answered from a small cache in this process's
memory instead (a warning is logged), so logging in and sending a public form keep working and
the limits still hold per process. Redis is tried again after `RETRY_AFTER` seconds; in between
no request waits for a connection. Connecting gives up after half a second and redis-py's own
retries are off, so a request is held up at most that long.

What was written to the stand-in while Redis was away is not copied back; a limit counted there
starts afresh once Redis answers again.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0


def _unreachable_errors() -> tuple:
    """Redis away, refusing (out of memory, read-only, loading) or something else answering:
    every error of the Redis client, and the socket's own."""
    return (RedisError, OSError)


class ResilientRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache with a stand-in for when Redis is away."""

    def __init__(self, server, params):
        options = {
            "socket_connect_timeout": 0.5,
            "socket_timeout": 1.0,
            "retry": Retry(NoBackoff(), 0),
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._errors = _unreachable_errors()
        self._fallback = LocMemCache(
            f"resilient-redis-{id(self)}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 10_000}},
        )
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _call(self, name, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except self._errors as error:
            with self._lock:
                first = time.monotonic() >= self._down_until
                self._down_until = time.monotonic() + RETRY_AFTER
            if first:
                logger.warning(
                    "cache unavailable (%s: %s); using this process's memory for %ss",
                    type(error).__name__,
                    error,
                    RETRY_AFTER,
                )
            return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta=delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        return self._call("clear")

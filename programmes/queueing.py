"""Handing work to the task queue without ever failing the caller.

A row in the database (an outbox message, a document) is the record of the work; the queued
task is only a nudge. When the broker is down the nudge is lost, the row stays queued or
pending, and the periodic sweeps (`outbox_requeue_stale`, `document_requeue_stale`) queue it
again later. So a request that saved its work never answers 500 because Redis is away.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *, eta=None, **kwargs) -> bool:
    """Queue `task` with keyword arguments; True when it was handed over. Never raises: a
    broker that cannot be reached (or a task that fails when tasks run in-process) is logged,
    and the sweep that owns the row picks the work up."""
    try:
        task.apply_async(kwargs=kwargs, eta=eta)
    except Exception:  # noqa: BLE001 - the row is the record; the sweep retries
        logger.exception(
            "could not queue %s %s; the periodic sweep will pick it up", task.name, kwargs
        )
        return False
    return True


def enqueue_on_commit(task, *, eta=None, **kwargs) -> None:
    """Queue `task` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, eta=eta, **kwargs))

"""Keeps the dashboard summaries up to date: a refresh every few minutes of the (programme,
day) cells that changed, and a full rebuild each night (both in the beat schedule).

Both read and write across every tenant; the service switches scoping off for that, in one
commented block. A run that dies (a worker killed) leaves its window to the next run: the
refresh state only moves on once a run has written all of its cells.
"""

from celery import shared_task

from ..services.summary import summaries_rebuild, summaries_refresh

__all__ = ["summaries_rebuild_all", "summaries_refresh_touched"]


@shared_task(acks_late=True)
def summaries_refresh_touched() -> int:
    """Periodic (every 5 minutes): rewrite the summary cells touched since the last run."""
    return summaries_refresh()


@shared_task(acks_late=True)
def summaries_rebuild_all() -> int:
    """Periodic (nightly) and on demand: rewrite every summary cell, a programme-month at a
    time; it also catches changes no event tells of (a deleted signal)."""
    return summaries_rebuild()

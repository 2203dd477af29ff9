"""Celery tasks of the hand-off: thin, they take ids, re-enter the tenant scope (TenantTask)
and call `patrols.services.handoff`. Registered when the app is ready (patrols/apps.py)."""

from celery import shared_task
from django_scopes import scopes_disabled

from programmes.queueing import enqueue
from programmes.tasks import TenantTask

from ..services import handoff as handoff_service
from ..services import open311 as open311_service


@shared_task(base=TenantTask, acks_late=True)
def handoff_send(*, handoff_id: int, organisation_id: int) -> str:
    """Try one hand-off when it is due. A try to repeat is queued again by the service for
    its time (with a broker) or taken up by the sweep (without one)."""
    return handoff_service.handoff_deliver(handoff_id=handoff_id)


@shared_task(acks_late=True)
def handoff_requeue_stale() -> int:
    """Periodic: queue hand-offs whose task was lost and hand back a dead worker's claims."""
    # A sweep over every tenant's hand-offs: scoping is off on purpose; the service reads ids,
    # hands claims back by id and queues tenant-scoped tasks.
    with scopes_disabled():
        return handoff_service.handoff_requeue_stale()


@shared_task(base=TenantTask, acks_late=True)
def open311_poll(*, channel_id: int, organisation_id: int) -> int:
    """Read back the statuses of what one Open311 channel was given."""
    return open311_service.open311_poll(channel_id=channel_id)


@shared_task(acks_late=True)
def open311_poll_all() -> int:
    """Periodic: queue a poll of every active Open311 channel, each in its tenant's scope."""
    # Every tenant's channels: scoping is off for reading their ids only.
    with scopes_disabled():
        channels = open311_service.open311_channels_to_poll()
    for channel_id, organisation_id in channels:
        enqueue(open311_poll, channel_id=channel_id, organisation_id=organisation_id)
    return len(channels)

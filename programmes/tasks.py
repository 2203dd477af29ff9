"""Celery tasks of the base app, and the task base class every tenant-aware task uses.

Tasks are thin: they take ids, re-enter the tenant scope and call a service.
"""

import time
from collections import Counter
from datetime import datetime

from celery import Task, shared_task
from django.db import close_old_connections, connection
from django_scopes import scope, scopes_disabled

from . import files
from .models import AuditEntry, Invitation, Organisation, User
from .queueing import enqueue
from .services import bulk as bulk_service
from .services import documents as documents_service
from .services import membership as membership_service
from .services import notifications as notifications_service
from .services import outbox as outbox_service
from .services import reads as reads_service
from .services.documents import TransientDocumentError, document_build
from .services.meetings import meeting_reminder_send, meeting_reminders_due
from .services.outbox import (
    BATCH_SIZE,
    OutboxBatchInterrupted,
    OutboxInterrupted,
    TransientMailError,
    outbox_deliver,
    outbox_deliver_batch,
)


class TenantTask(Task):
    """Runs the task inside the scope of the organisation named by `organisation_id`.

    This is one of the three places a tenant scope is switched on (with the web middleware and
    commented blocks in management commands and cross-tenant periodic jobs). A task without
    `organisation_id` runs without a scope, so any tenant query in it raises.
    """

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        organisation_id = kwargs.get("organisation_id")
        if organisation_id is None:
            return super().__call__(*args, **kwargs)
        with scope(organisation=organisation_id):
            return super().__call__(*args, **kwargs)


def run_retrying(task, work, *, transient, kwargs: dict, countdowns, pauses):
    """Run `work(attempt)` for a bound task that claims a row per attempt (a document, a
    photo): on a `transient` error (database, broker, file system) try again with backoff,
    carrying the attempt the error names so the retry may take the row up again. With a
    broker the task is retried after `countdowns[n]` seconds; run in-process it pauses
    `pauses[n]` and loops. After the task's last retry the error is raised: the row stays as
    it is and its sweep takes it from there."""
    tries = task.request.retries
    attempt = kwargs.get("attempt")
    while True:
        try:
            return work(attempt)
        except transient as error:
            if tries >= task.max_retries:
                raise
            attempt = error.attempt
            if not connection.in_atomic_block:
                close_old_connections()  # drop a broken connection; the next query reconnects
            if not task.request.is_eager:
                raise task.retry(
                    kwargs={**kwargs, "attempt": attempt},
                    countdown=countdowns[min(tries, len(countdowns) - 1)],
                    exc=error,
                ) from error
            time.sleep(pauses[min(tries, len(pauses) - 1)])
            tries += 1


OUTBOX_MAX_RETRIES = 8


# Without a broker, short pauses between in-process attempts after the database went away (a
# restart or failover takes a moment); SMTP errors are retried at once, as before.
OUTBOX_EAGER_PAUSES = (0.05, 0.1, 0.2, 0.5)


def _outbox_backoff(attempt: int) -> int:
    return min(600, 30 * 2**attempt)


@shared_task(base=TenantTask, bind=True, max_retries=OUTBOX_MAX_RETRIES)
def outbox_send(
    self,
    *,
    message_id: int,
    organisation_id: int,
    claimed: int | None = None,
    delivered_at: str | None = None,
) -> str:
    """Send one outbox message; transient SMTP errors and a database that cannot be reached
    retry with exponential backoff. A retry after the database went away carries the attempt
    this task claimed and, when the mail had left already, the moment it left: then the retry
    only writes the record (see programmes/services/outbox.py).

    Without a broker (tasks run in-process) there is nothing to schedule a retry on, so the
    attempts follow each other at once, up to the same limit. A retry that cannot be handed to
    the broker (Redis away too) is dropped; the row keeps its state and `outbox_requeue_stale`
    queues it again.
    """
    attempt = self.request.retries
    left = datetime.fromisoformat(delivered_at) if delivered_at else None
    while True:
        try:
            return outbox_deliver(
                message_id=message_id,
                final_attempt=attempt >= self.max_retries,
                claimed=claimed,
                delivered_at=left,
            )
        except TransientMailError as error:
            if not self.request.is_eager:
                raise self.retry(countdown=_outbox_backoff(attempt), exc=error) from error
        except OutboxInterrupted as error:
            if attempt >= self.max_retries:
                raise
            claimed, left = error.claimed, error.delivered_at
            if not connection.in_atomic_block:
                close_old_connections()  # drop a broken connection; the next query reconnects
            if not self.request.is_eager:
                kwargs = {
                    "message_id": message_id,
                    "organisation_id": organisation_id,
                    "claimed": claimed,
                    "delivered_at": left.isoformat() if left else None,
                }
                raise self.retry(
                    kwargs=kwargs, countdown=_outbox_backoff(attempt), exc=error
                ) from error
            time.sleep(OUTBOX_EAGER_PAUSES[min(attempt, len(OUTBOX_EAGER_PAUSES) - 1)])
        attempt += 1


@shared_task(base=TenantTask, bind=True, max_retries=OUTBOX_MAX_RETRIES)
def outbox_flush(
    self, *, organisation_id: int, message_ids: list | None = None, claims: list | None = None
) -> dict:
    """Send the organisation's due messages (those of `message_ids`, at most a batch, when
    given: a burst) in batches over one SMTP connection per batch (see
    programmes/services/outbox.py). With a worker, a full batch of a sweep queues the next batch
    before it starts sending, so a burst spreads over every worker; in-process, the batches
    follow each other in this call. A database that went away retries with backoff, carrying
    the claims of the messages not finished (`claims`)."""
    # In-process (no broker), or called as a function: nothing to hand a batch or a retry to.
    eager = self.request.is_eager or self.request.called_directly
    attempt = self.request.retries
    total: Counter = Counter()
    while True:
        try:
            counts = outbox_deliver_batch(
                organisation_id=organisation_id,
                message_ids=message_ids,
                claims=claims,
                chain=None
                if eager or message_ids is not None
                else lambda: enqueue(outbox_flush, organisation_id=organisation_id),
            )
        except OutboxBatchInterrupted as error:
            if attempt >= self.max_retries:
                raise
            claims = error.claims
            if not connection.in_atomic_block:
                close_old_connections()  # drop a broken connection; the next query reconnects
            if not eager:
                raise self.retry(
                    kwargs={
                        "organisation_id": organisation_id,
                        "message_ids": message_ids,
                        "claims": claims,
                    },
                    countdown=_outbox_backoff(attempt),
                    exc=error,
                ) from error
            time.sleep(OUTBOX_EAGER_PAUSES[min(attempt, len(OUTBOX_EAGER_PAUSES) - 1)])
            attempt += 1
            continue
        total.update(counts)
        more = claims or counts.get("released") or counts.get("claimed", 0) >= BATCH_SIZE
        if message_ids is not None:
            more = claims or counts.get("released")
        if not eager or not more:
            return dict(total)
        claims = None  # in-process: on to the next batch


@shared_task(acks_late=True)
def outbox_requeue_stale() -> int:
    """Periodic: queue again messages a lost task or dead worker left behind."""
    # A sweep over every tenant's outbox: scoping is off on purpose, and the service only
    # reads ids and queues tenant-scoped tasks.
    with scopes_disabled():
        return outbox_service.outbox_requeue_stale()


@shared_task(acks_late=True)
def outbox_send_due() -> int:
    """Periodic: send held messages (a decision that could be undone) once their time has
    come."""
    # A sweep over every tenant's outbox: scoping is off on purpose, and the service only
    # reads ids and queues tenant-scoped tasks.
    with scopes_disabled():
        return outbox_service.outbox_send_due()


# Seconds before the 2nd, 3rd, ... attempt at a document after a transient error (the sweep's
# STALE_AFTER is longer than these together); without a broker, the short in-process pauses.
DOCUMENT_RETRY_COUNTDOWNS = (5, 15, 45, 120)
DOCUMENT_EAGER_PAUSES = (0.2, 0.5, 1, 2)


@shared_task(base=TenantTask, bind=True, max_retries=6)
def document_render(
    self, *, document_id: int, organisation_id: int, attempt: int | None = None
) -> str:
    """Render one document (a PDF) in the background. A transient error (database, broker,
    file system) tries again with backoff, carrying the attempt this task claimed so its retry
    may take the document up again; the service fails the document after its last attempt."""
    return run_retrying(
        self,
        lambda attempt: document_build(document_id=document_id, attempt=attempt),
        transient=TransientDocumentError,
        kwargs={"document_id": document_id, "organisation_id": organisation_id, "attempt": attempt},
        countdowns=DOCUMENT_RETRY_COUNTDOWNS,
        pauses=DOCUMENT_EAGER_PAUSES,
    )


@shared_task(acks_late=True)
def document_requeue_stale() -> int:
    """Periodic: queue again documents a lost task or dead worker left pending; fail those
    that had their attempts."""
    # A sweep over every tenant's documents: scoping is off on purpose, and the service only
    # reads ids, fails rows by id and queues tenant-scoped tasks.
    with scopes_disabled():
        return documents_service.document_requeue_stale()


# Seconds before the next run of a bulk job after the database went away.
BULK_RETRY_COUNTDOWNS = (5, 15, 45, 120)


@shared_task(base=TenantTask, bind=True, max_retries=4)
def bulk_job_run(self, *, job_id: int, organisation_id: int) -> str:
    """Run a bulk job (invitations, a mailing) chunk by chunk; after a transient error it runs
    again later from where it got. Without a broker the sweep takes it up instead."""
    try:
        return bulk_service.bulk_job_process(job_id=job_id)
    except bulk_service.TransientBulkError as error:
        if not connection.in_atomic_block:
            close_old_connections()  # drop a broken connection; the next query reconnects
        if self.request.is_eager or self.request.retries >= self.max_retries:
            return "interrupted"  # the job stays open; the sweep queues it again
        raise self.retry(
            kwargs={"job_id": job_id, "organisation_id": organisation_id},
            countdown=BULK_RETRY_COUNTDOWNS[
                min(self.request.retries, len(BULK_RETRY_COUNTDOWNS) - 1)
            ],
            exc=error,
        ) from error


@shared_task(acks_late=True)
def bulk_requeue_stale() -> int:
    """Periodic: queue again bulk jobs a lost task or dead worker left open; fail those that
    had their attempts."""
    # A sweep over every tenant's jobs: scoping is off on purpose; the service reads ids,
    # updates rows by id and queues tenant-scoped tasks.
    with scopes_disabled():
        return bulk_service.bulk_requeue_stale()


@shared_task(acks_late=True)
def meeting_reminders_send() -> int:
    """Periodic: remind invitees the day before their meeting; idempotent per invitee."""
    # Finding tomorrow's meetings spans every tenant: scoping is off for the look-up only;
    # each reminder is then written inside its own organisation's scope.
    with scopes_disabled():
        due = list(meeting_reminders_due())
    for invitee_id, organisation_id in due:
        with scope(organisation=organisation_id):
            meeting_reminder_send(invitee_id=invitee_id)
    return len(due)


@shared_task(acks_late=True)
def notification_digests_send() -> int:
    """Periodic: send each person's digest of a kind once per period, from their chosen hour
    in their time zone; idempotent (a digest record per person, kind and period)."""
    # Finding what waits for a digest spans every tenant: scoping is off for the look-up
    # only; each digest is then made inside its own organisation's scope.
    with scopes_disabled():
        waiting = notifications_service.digests_waiting()
        users = User.objects.in_bulk({recipient_id for recipient_id, _k, _o in waiting})
        organisations = Organisation.objects.in_bulk({org_id for _r, _k, org_id in waiting})
    sent = 0
    for recipient_id, kind, organisation_id in waiting:
        with scope(organisation=organisation_id):
            sent += bool(
                notifications_service.digest_send(
                    recipient=users[recipient_id],
                    kind=kind,
                    organisation=organisations[organisation_id],
                )
            )
    return sent


@shared_task(acks_late=True)
def notifications_delete_expired() -> int:
    """Periodic: delete old notifications (read ones after 90 days, any after a year)."""
    # A sweep over every tenant's notifications: scoping is off on purpose; the service
    # deletes by age only.
    with scopes_disabled():
        return notifications_service.notifications_delete_expired()


@shared_task(acks_late=True)
def reads_delete_expired() -> int:
    """Periodic: delete read-log rows older than their retention (`services.reads`)."""
    # Across every tenant by age only: scoping is off on purpose.
    with scopes_disabled():
        return reads_service.reads_delete_expired()


@shared_task(base=TenantTask, bind=True)
def organisation_summary(self, *, organisation_id: int) -> dict:
    """Count what an organisation holds, inside its scope: a health check of the worker path
    (broker, worker, database, tenant scope) that the tests and benchmarks send through Redis."""
    org = Organisation.objects.get(pk=organisation_id)
    return {
        "organisation": org.slug,
        "audit_entries": AuditEntry.objects.count(),
        "invitations": Invitation.objects.count(),
        "worker": self.request.hostname or "eager",
    }


@shared_task
def noop() -> str:
    """A trivial task: the floor that benchmarks compare real tasks against."""
    return "ok"


@shared_task(acks_late=True)
def orphan_files_sweep() -> int:
    """Periodic: remove stored files that no row references any more (left by cascades)."""
    # Looks at every tenant's files: scoping is off on purpose; it reads file names only.
    with scopes_disabled():
        return files.orphan_files_sweep()


@shared_task(acks_late=True)
def membership_pauses_end() -> int:
    """Periodic: make members whose pause ended active again (scheduled, reminded and held
    to the effort obligation); idempotent per member."""
    # Finding ended pauses spans every tenant: scoping is off for the look-up only; each
    # member is resumed inside its own organisation's scope.
    with scopes_disabled():
        ended = list(membership_service.membership_pauses_ended())
    resumed = 0
    for member_id, organisation_id in ended:
        with scope(organisation=organisation_id):
            resumed += membership_service.membership_pause_end(member_id=member_id)
    return resumed

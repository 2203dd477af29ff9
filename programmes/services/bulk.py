"""Bulk actions in the background: a `BulkJob` row is the record of the work, a task the nudge.

`bulk_job_start` stores the job with its items (ids only, at most MAX_ITEMS) and queues
`bulk_job_run` once the transaction commits. The task works through the items CHUNK_SIZE at a
time: each chunk runs in one transaction that locks the job row, processes the items from the
job's `position` with the registered kind's function (inside `mail_burst()`, so its mail goes
out in batches) and moves `position`, `done` and `failed` on. A worker that dies in a chunk
rolls the chunk back, and the kind's function is idempotent per item (an invitation is made
once), so running a chunk again never does an item twice. A transient error (the database
went away) lets the task retry; any other error fails the job with a message for the person
who asked. `bulk_requeue_stale` (periodic) queues again a job nobody worked on for STALE_AFTER
and fails one that had MAX_ATTEMPTS, so no job stays "in progress" forever.
"""

import logging
from datetime import timedelta

from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import registry
from ..audit import audit_log
from ..mail import mail_burst
from ..models import BulkJob
from ..queueing import enqueue, enqueue_on_commit

logger = logging.getLogger(__name__)

# Items processed in one transaction; `done` moves on after each chunk.
CHUNK_SIZE = 100
# The most items one job takes (the payload stays small: ids only).
MAX_ITEMS = 5000
# An action on more items than this runs as a bulk job; a smaller one may stay in the request
# (a team of 20 is invited in well under a second).
SYNC_MAX = 20
# A job nobody worked on for this long is queued again by the sweep.
STALE_AFTER = timedelta(minutes=5)
# Runs of a job (the first and the sweep's) before it is failed.
MAX_ATTEMPTS = 5

TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class TransientBulkError(Exception):
    """The database went away during a chunk: the task tries again later."""


@transaction.atomic
def bulk_job_start(
    *, actor, kind: str, items, organisation=None, programme=None, payload: dict | None = None
) -> BulkJob:
    """Store a bulk job of a registered `kind` over `items` (ids; at most MAX_ITEMS, duplicates
    dropped) and queue its task once this transaction commits. `payload`: what the job is
    about (ids, such as the meeting), read by the kind's function; a list the items point
    into (addresses typed in) is bounded by the items and dropped once the job is done
    (`BulkKind.personal`)."""
    from ..tasks import bulk_job_run  # noqa: PLC0415 - tasks imports this module: circular

    registry.bulk_kind(kind)  # KeyError for a kind nobody registered
    ids = list(dict.fromkeys(int(item) for item in items))
    if len(ids) > MAX_ITEMS:
        raise ValueError(f"a bulk job takes at most {MAX_ITEMS} items, not {len(ids)}")
    organisation = organisation or programme.organisation
    job = BulkJob(
        organisation=organisation,
        programme=programme,
        kind=kind,
        requested_by=actor,
        total=len(ids),
        payload={**(payload or {}), "items": ids},
    )
    job.full_clean()
    job.save()
    audit_log(
        actor=actor,
        organisation=organisation,
        action="bulk.started",
        obj=job,
        data={"kind": kind, "total": job.total},
    )
    enqueue_on_commit(bulk_job_run, job_id=job.pk, organisation_id=organisation.pk)
    return job


def bulk_job_claim(*, job_id: int, now=None) -> BulkJob | None:
    """Start a run of an open job (counts the attempt); None when it is finished or gone."""
    now = now or timezone.now()
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_open:
            return None
        job.attempts += 1
        job.status = BulkJob.Status.RUNNING
        job.started_at = job.started_at or now
        job.touched_at = now
        job.save(update_fields=["attempts", "status", "started_at", "touched_at"])
        return job


def bulk_job_chunk(*, job_id: int) -> bool:
    """Process the next chunk of the job in one transaction; False when nothing is left (the
    job is then done) or the job is no longer running."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != BulkJob.Status.RUNNING:
            return False
        items = job.payload.get("items", [])
        chunk = items[job.position : job.position + CHUNK_SIZE]
        now = timezone.now()
        if not chunk:
            job.status = BulkJob.Status.DONE
            job.finished_at = now
            job.touched_at = now
            for key in registry.bulk_kind(job.kind).personal:
                job.payload.pop(key, None)
            job.save(update_fields=["status", "finished_at", "touched_at", "payload"])
            return False
        with mail_burst():
            failed = registry.bulk_kind(job.kind).process(job, chunk) or 0
        job.position += len(chunk)
        job.failed += failed
        job.done += len(chunk) - failed
        job.touched_at = now
        job.save(update_fields=["position", "done", "failed", "touched_at"])
        return True


def _fail(job_id: int, message: str) -> None:
    BulkJob.objects.filter(
        pk=job_id, status__in=[BulkJob.Status.PENDING, BulkJob.Status.RUNNING]
    ).update(status=BulkJob.Status.FAILED, error=message[:2000], finished_at=timezone.now())


def bulk_job_process(*, job_id: int) -> str:
    """Run a job to its end, chunk by chunk (the task's body); returns its status. Raises
    TransientBulkError when the database went away, so the task tries again; what is done
    stays done."""
    try:
        job = bulk_job_claim(job_id=job_id)
        if job is None:
            return "skipped"
        while bulk_job_chunk(job_id=job_id):
            pass
    except TRANSIENT_ERRORS as error:
        raise TransientBulkError(str(error)) from error
    except Exception:
        logger.exception("bulk job %s failed", job_id)
        try:
            _fail(job_id, _("Something went wrong; what was done before stays done. Try again."))
        except DatabaseError:
            logger.warning("bulk job %s: could not record the failure; the sweep will", job_id)
        return BulkJob.Status.FAILED
    return BulkJob.Status.DONE


def bulk_requeue_stale(*, now=None) -> int:
    """Queue again the open jobs nobody worked on for STALE_AFTER (a lost task, a dead worker)
    and fail those that had MAX_ATTEMPTS runs; returns how many were queued. Runs without a
    tenant scope (the periodic task): reads ids, updates rows by id, queues scoped tasks."""
    from ..tasks import bulk_job_run  # noqa: PLC0415 - tasks imports this module: circular

    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    open_statuses = [BulkJob.Status.PENDING, BulkJob.Status.RUNNING]
    stale = BulkJob.objects.filter(status__in=open_statuses, touched_at__lt=cutoff).values_list(
        "pk", "organisation_id", "attempts"
    )
    count = 0
    for pk, organisation_id, attempts in stale:
        still = Q(pk=pk, status__in=open_statuses, touched_at__lt=cutoff, attempts=attempts)
        if attempts >= MAX_ATTEMPTS:
            BulkJob.objects.filter(still).update(
                status=BulkJob.Status.FAILED,
                error=_("This did not finish after several attempts; try again."),
                finished_at=now,
            )
            logger.warning("bulk job %s given up after %s attempts", pk, attempts)
            continue
        if BulkJob.objects.filter(still).update(touched_at=now):
            enqueue(bulk_job_run, job_id=pk, organisation_id=organisation_id)
            count += 1
    return count

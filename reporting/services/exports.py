"""The audit entry of an export, and the background exports: an export too large to stream
within a request (`reporting.exports.formats.STREAM_MAX_ROWS`) is made by a task into a file
kept for its requester for EXPIRE_AFTER.

Taking the client's data out of the product is something the privacy officer wants to find
later (who, what, which period, which format): every export asked for is logged, streamed or
made in the background.

A background export follows the documents' claim/retry/sweep pattern, so every job ends
ready or visibly failed:

- an attempt claims the row under a row lock (`attempts`, `attempted_at`); while it writes it
  stamps `attempted_at` and the rows done every PROGRESS_EVERY rows (the page's progress bar,
  and the sign of life the sweep reads); an attempt the sweep handed to another stops;
- a transient error (database, broker, file system) raises `TransientExportError` and the
  task tries again later, up to MAX_ATTEMPTS; an error of the export itself fails it at once;
- `export_jobs_sweep` (periodic) queues again a job whose task was lost or whose worker died
  mid-export, fails it after MAX_ATTEMPTS (the page offers "try again": `export_job_retry`),
  and deletes the files of ready jobs past their `expires_at`.
"""

import contextlib
import hashlib
import json
import logging
import tempfile
from datetime import timedelta

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from programmes.audit import audit_log
from programmes.files import file_delete_on_commit
from programmes.models import AuditEntry, Organisation, User
from programmes.queueing import enqueue, enqueue_on_commit
from programmes.services.common import attempt_claim
from programmes.services.documents import is_transient
from programmes.services.notifications import notify_on_commit

from ..exports.datasets import DATASETS, scope_from_filters
from ..exports.formats import write_csv, write_xlsx
from ..models.exports import ExportJob
from ..selectors.exports import export_row_count

logger = logging.getLogger(__name__)

# The notification kind of a background export that is ready (registered in reporting/apps.py).
EXPORT_READY = "data_export.ready"
# How many attempts a background export gets (the task's retries and the sweep's together).
MAX_ATTEMPTS = 3
# An attempt that gave no sign of life this long (it stamps every PROGRESS_EVERY rows, a few
# seconds apart) died with its worker; a job queued this long ago and never started was never
# handed over. Longer than the task's own retry pauses together.
STALE_AFTER = timedelta(minutes=5)
# Rows between two progress stamps: about a second of XLSX, a fraction of one of CSV.
PROGRESS_EVERY = 2000
# The same request (person, dataset, format, filters) again within this time finds the job
# already asked for (a double click, a reload) instead of making a second one.
DEDUPE_WITHIN = timedelta(minutes=1)
# A ready file is kept this long for its requester, then deleted by the sweep.
EXPIRE_AFTER = timedelta(days=7)


class TransientExportError(Exception):
    """The attempt failed for a reason that may pass: try again later. `attempt` is the
    attempt this task claimed; its retry may take it up again."""

    def __init__(self, message: str, *, attempt: int | None):
        super().__init__(message)
        self.attempt = attempt


class _Superseded(Exception):
    """The sweep handed this job to another attempt (this one looked dead): stop writing."""


@transaction.atomic
def export_record(
    *,
    actor: User,
    organisation: Organisation,
    programme=None,
    dataset: str,
    file_format: str,
    filters: dict,
    job: ExportJob | None = None,
) -> AuditEntry:
    """Log that `actor` exported `dataset` of `organisation` (of `programme`, or of all the
    client's programmes they read) as `file_format` with `filters` (plain values: the period's
    days as ISO dates, a status, a category id); with `job`, made in the background."""
    data = {
        "dataset": dataset,
        "format": file_format,
        "programme": programme.pk if programme is not None else None,
        **{k: v for k, v in filters.items() if v not in (None, "")},
    }
    if job is not None:
        data["job"] = job.pk
    return audit_log(
        actor=actor,
        organisation=organisation,
        action="data_export.downloaded",
        obj=programme if programme is not None else organisation,
        data=data,
    )


def _request_key(*, actor, dataset: str, file_format: str, filters: dict) -> str:
    plain = json.dumps([actor.pk, dataset, file_format, filters], sort_keys=True, default=str)
    return hashlib.sha256(plain.encode()).hexdigest()


@transaction.atomic
def export_job_request(
    *,
    actor: User,
    organisation: Organisation,
    programme=None,
    dataset: str,
    file_format: str,
    filters: dict,
    total: int,
    now=None,
) -> tuple[ExportJob, bool]:
    """Ask for a background export of `dataset` as `file_format` with `filters` (plain
    values, `programme` the programme's id or absent), counted at `total` rows; made by a task
    once this transaction commits, and logged as every export is. The same request by the
    same person within DEDUPE_WITHIN finds the job already asked for (not failed, not
    expired): (job, created)."""
    from ..tasks.exports import export_job_run  # noqa: PLC0415 - tasks import this module: circular at module level

    now = now or timezone.now()
    key = _request_key(actor=actor, dataset=dataset, file_format=file_format, filters=filters)
    # One request at a time per person: a double click waits here for the first one.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    existing = (
        ExportJob.objects.filter(
            organisation=organisation,
            requested_by=actor,
            request_key=key,
            created_at__gte=now - DEDUPE_WITHIN,
            status__in=[ExportJob.Status.PENDING, ExportJob.Status.READY],
        )
        .order_by("-created_at")
        .first()
    )
    if existing is not None:
        return existing, False
    job = ExportJob(
        organisation=organisation,
        requested_by=actor,
        programme=programme,
        dataset=dataset,
        file_format=file_format,
        filters=filters,
        request_key=key,
        total=total,
        created_at=now,
        queued_at=now,
    )
    job.full_clean()
    job.save()
    export_record(
        actor=actor,
        organisation=organisation,
        programme=programme,
        dataset=dataset,
        file_format=file_format,
        filters={k: v for k, v in filters.items() if k != "programme"},
        job=job,
    )
    enqueue_on_commit(export_job_run, job_id=job.pk, organisation_id=organisation.pk)
    return job, True


@transaction.atomic
def export_job_retry(*, actor: User, job: ExportJob) -> ExportJob:
    """Make a failed background export again (the page's "try again"), the same row; a job
    that is not failed is left alone."""
    from ..tasks.exports import export_job_run  # noqa: PLC0415 - tasks import this module: circular at module level

    job = ExportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ExportJob.Status.FAILED:
        return job
    job.status = ExportJob.Status.PENDING
    job.error = ""
    job.done = 0
    job.attempts = 0
    job.attempted_at = None
    job.finished_at = None
    job.queued_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "error",
            "done",
            "attempts",
            "attempted_at",
            "finished_at",
            "queued_at",
        ]
    )
    audit_log(
        actor=actor,
        organisation=job.organisation,
        action="data_export.retried",
        obj=job.programme if job.programme_id else job.organisation,
        data={"job": job.pk, "dataset": job.dataset, "format": job.file_format},
    )
    enqueue_on_commit(export_job_run, job_id=job.pk, organisation_id=job.organisation_id)
    return job


def _mine(job: ExportJob):
    """The job's row while this attempt still holds it."""
    return ExportJob.objects.filter(
        pk=job.pk, status=ExportJob.Status.PENDING, attempts=job.attempts
    )


def _counted(job: ExportJob, rows):
    """`rows`, stamping the rows done and a sign of life every PROGRESS_EVERY rows; stops
    (`_Superseded`) when the sweep gave the job to another attempt meanwhile."""
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0 and not _mine(job).update(
            done=done, attempted_at=timezone.now()
        ):
            raise _Superseded


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def export_job_build(*, job_id: int, attempt: int | None = None) -> str:
    """Make the file of a pending background export and keep it for EXPIRE_AFTER; a ready,
    failed or expired job is left alone (the task may run twice). The requester is told when
    it is ready. Raises TransientExportError when the attempt should be made again later."""
    try:
        job = attempt_claim(
            ExportJob,
            pk=job_id,
            waiting=ExportJob.Status.PENDING,
            attempt=attempt,
            now=timezone.now(),
            stale_after=STALE_AFTER,
        )
    except Exception as error:
        if is_transient(error):  # the database is away: this task tries again later
            raise TransientExportError(_describe(error), attempt=attempt) from error
        raise
    if job is None:
        return "skipped"
    stored = ""
    try:
        scope, options = scope_from_filters(
            user=job.requested_by,
            organisation=job.organisation,
            dataset=job.dataset,
            filters=job.filters,
        )
        # The request counted only up to its limit: the progress bar needs them all (one
        # count on the rows' index, a fraction of the export's time).
        total = export_row_count(scope=scope, dataset=job.dataset, options=options, cap=None)
        _mine(job).update(total=total)
        job.total = total
        export = DATASETS[job.dataset](scope=scope, **options)
        export.rows = _counted(job, export.rows)
        with tempfile.TemporaryFile(suffix=f".{job.file_format}") as handle:
            if job.file_format == "xlsx":
                write_xlsx(export, handle)
            else:
                write_csv(export, handle)
            handle.seek(0)
            name = f"{export.filename}.{job.file_format}"
            stored = default_storage.save(
                job.file.field.generate_filename(job, name), File(handle, name=name)
            )
        now = timezone.now()
        with transaction.atomic():
            if not _mine(job).update(
                status=ExportJob.Status.READY,
                file=stored,
                download_name=name,
                done=job.total,
                finished_at=now,
                expires_at=now + EXPIRE_AFTER,
            ):
                raise _Superseded
            notify_on_commit(
                kind=EXPORT_READY,
                recipients=[job.requested_by],
                title=_("Your export is ready"),
                body=format_lazy(
                    _("{name} can be downloaded until {day}."),
                    name=name,
                    day=f"{timezone.localtime(now + EXPIRE_AFTER):%d-%m-%Y}",
                ),
                url=reverse(
                    "reporting:export_job",
                    kwargs={"org": job.organisation.slug, "job_pk": job.pk},
                ),
                dedupe_key=f"export:{job.pk}:{job.attempts}",
                organisation=job.organisation,
                programme=job.programme,
            )
        return ExportJob.Status.READY
    except _Superseded:
        _delete_quietly(stored)
        return "skipped"
    except Exception as error:
        _delete_quietly(stored)
        transient = is_transient(error)
        if transient and job.attempts < MAX_ATTEMPTS:
            logger.warning("export %s: attempt %s failed: %s", job.pk, job.attempts, error)
            with contextlib.suppress(DatabaseError):
                _mine(job).update(error=_describe(error))
            raise TransientExportError(_describe(error), attempt=job.attempts) from error
        logger.exception("export %s failed (attempt %s)", job.pk, job.attempts)
        # If the database is what failed, this write fails too; the sweep fails it later.
        with contextlib.suppress(DatabaseError):
            _mine(job).update(
                status=ExportJob.Status.FAILED,
                error=_describe(error),
                finished_at=timezone.now(),
            )
        return ExportJob.Status.FAILED


def _delete_quietly(name: str) -> None:
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not remove the unused export file %s", name)


def export_jobs_sweep(*, now=None) -> dict:
    """Periodic, across tenants (the caller turns scoping off): queue again the background
    exports a lost task or a dead worker left pending, fail those that had their attempts,
    and delete the files of ready exports past their time (the row stays, expired, so its
    page says so). Returns the counts."""
    from ..tasks.exports import export_job_run  # noqa: PLC0415 - tasks import this module: circular at module level

    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    stale_q = Q(attempted_at__lt=cutoff) | Q(attempted_at__isnull=True, queued_at__lt=cutoff)
    counts = {"requeued": 0, "failed": 0, "expired": 0}
    stale = ExportJob.objects.filter(Q(status=ExportJob.Status.PENDING) & stale_q).values_list(
        "pk", "organisation_id", "attempts"
    )
    for pk, organisation_id, attempts in stale:
        if attempts >= MAX_ATTEMPTS:
            counts["failed"] += ExportJob.objects.filter(
                Q(pk=pk, status=ExportJob.Status.PENDING, attempts=attempts) & stale_q
            ).update(
                status=ExportJob.Status.FAILED,
                error=f"Could not be made after {attempts} attempts.",
                finished_at=now,
            )
            logger.warning("export %s given up after %s attempts", pk, attempts)
            continue
        # The attempt that died holds the job no more: the queued task may take it.
        ExportJob.objects.filter(
            pk=pk, status=ExportJob.Status.PENDING, attempts=attempts, attempted_at__lt=cutoff
        ).update(attempted_at=None, done=0)
        enqueue(export_job_run, job_id=pk, organisation_id=organisation_id)
        counts["requeued"] += 1
    expired = ExportJob.objects.filter(status=ExportJob.Status.READY, expires_at__lte=now)
    for pk, name in expired.values_list("pk", "file"):
        with transaction.atomic():
            if ExportJob.objects.filter(pk=pk, status=ExportJob.Status.READY).update(
                status=ExportJob.Status.EXPIRED, file=""
            ):
                file_delete_on_commit(name)
                counts["expired"] += 1
    return counts

"""The background exports: one task makes a large export's file, a periodic sweep requeues
or fails what a lost task or a dead worker left and deletes expired files."""

from celery import shared_task
from django_scopes import scopes_disabled

from programmes.tasks import TenantTask, run_retrying

from ..services import exports as services

__all__ = ["export_job_run", "export_jobs_sweep"]

# Seconds before the 2nd, 3rd attempt after a transient error (the sweep's STALE_AFTER is
# longer than these together); without a broker, short in-process pauses.
EXPORT_RETRY_COUNTDOWNS = (10, 60)
EXPORT_EAGER_PAUSES = (0.2, 0.5)


@shared_task(base=TenantTask, bind=True, max_retries=services.MAX_ATTEMPTS - 1)
def export_job_run(self, *, job_id: int, organisation_id: int, attempt: int | None = None) -> str:
    """Make one background export's file. A transient error (database, broker, file system)
    tries again with backoff, carrying the attempt this task claimed; the service fails the
    job after its last attempt."""
    return run_retrying(
        self,
        lambda attempt: services.export_job_build(job_id=job_id, attempt=attempt),
        transient=services.TransientExportError,
        kwargs={"job_id": job_id, "organisation_id": organisation_id, "attempt": attempt},
        countdowns=EXPORT_RETRY_COUNTDOWNS,
        pauses=EXPORT_EAGER_PAUSES,
    )


@shared_task(acks_late=True)
def export_jobs_sweep() -> dict:
    """Periodic: requeue background exports a lost task or dead worker left pending, fail those
    that had their attempts, delete the files of expired ones."""
    # A sweep over every tenant's exports: scoping is off on purpose; the service reads ids,
    # updates rows by id and queues tenant-scoped tasks.
    with scopes_disabled():
        return services.export_jobs_sweep()

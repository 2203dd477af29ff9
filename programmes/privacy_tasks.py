"""The periodic retention job: every registered rule over every organisation, each client
with its own term (`programmes.privacy.retention_run`, which switches the scope on per
organisation and logs the run)."""

from celery import shared_task

from .services import privacy as privacy_service


@shared_task(acks_late=True)
def privacy_retention_run() -> int:
    """Periodic: run the retention rules; returns how many rows were removed or anonymised."""
    return privacy_service.retention_run().total

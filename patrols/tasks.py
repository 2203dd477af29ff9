"""Tasks of the patrols app: periodic jobs, and the re-encoding of a signal's photo."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from programmes.tasks import TenantTask, run_retrying

from .services import photos as photos_service
from .services import round_reminder_send, round_reminders_due
from .services.photos import TransientPhotoError


@shared_task(acks_late=True)
def round_reminders_send() -> int:
    """Periodic: remind walkers the day before their round; idempotent per sign-up."""
    # Finding tomorrow's rounds spans every tenant: scoping is off for the look-up only; each
    # reminder is written inside its own organisation's scope.
    with scopes_disabled():
        due = list(round_reminders_due())
    for signup_id, organisation_id in due:
        with scope(organisation=organisation_id):
            round_reminder_send(signup_id=signup_id)
    return len(due)


# Seconds before the 2nd, 3rd, ... attempt at a photo after a transient error (the sweep's
# STALE_AFTER is longer than these together); without a broker, short in-process pauses.
PHOTO_RETRY_COUNTDOWNS = (5, 15, 45, 120)
PHOTO_EAGER_PAUSES = (0.1, 0.2, 0.5, 1)


@shared_task(base=TenantTask, bind=True, max_retries=6)
def signal_photo_process(
    self, *, photo_id: int, organisation_id: int, attempt: int | None = None
) -> str:
    """Re-encode one photo of a signal (metadata stripped, resized) and delete the upload as
    sent. A transient error (database, file system) tries again with backoff, carrying the
    attempt this task claimed; the service fails the photo after its last attempt."""
    return run_retrying(
        self,
        lambda attempt: photos_service.signal_photo_process(photo_id=photo_id, attempt=attempt),
        transient=TransientPhotoError,
        kwargs={"photo_id": photo_id, "organisation_id": organisation_id, "attempt": attempt},
        countdowns=PHOTO_RETRY_COUNTDOWNS,
        pauses=PHOTO_EAGER_PAUSES,
    )


@shared_task(acks_late=True)
def signal_photo_requeue_stale() -> int:
    """Periodic: queue again photos a lost task or dead worker left processing; fail those
    that had their attempts."""
    # A sweep over every tenant's photos: scoping is off on purpose; the service reads ids,
    # updates rows by id and queues tenant-scoped tasks.
    with scopes_disabled():
        return photos_service.signal_photo_requeue_stale()

"""Writing the read log (`programmes.models.ReadEntry`): who was shown whose data.

Views call `record_read` once per page with every person the page shows; it writes one row
per person (duplicates on one page collapse), in one insert, so a list costs one query however
long it is. A read is bookkeeping, not a state change: no audit entry (see
`programmes.services.common`). It never fails the page: a read log that cannot be written is
logged as an error and the page is still shown (the alternative, refusing to show a record
because a log row failed, would stop the work for a bookkeeping fault).
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import DatabaseError, models, transaction
from django.utils import timezone

from ..models import ReadEntry, User

logger = logging.getLogger(__name__)

# How long a read is kept: a person's request about the past year can still be answered.
READS_KEEP = timedelta(days=400)
# At most this many rows from one page view (a page shows at most a page of people).
MAX_PER_VIEW = 500


def _email_of(subject: models.Model) -> str:
    for field in ("email", "contact_email"):
        value = getattr(subject, field, "") or ""
        if value:
            return str(value).strip().lower()[:254]
    user = getattr(subject, "user", None)  # a roster row: its user's address
    if isinstance(user, User):
        return (user.email or "").strip().lower()[:254]
    return ""


def record_read(
    *,
    user,
    subjects: Iterable[models.Model] | models.Model,
    what: str,
    request=None,
    now: datetime | None = None,
) -> int:
    """Log that `user` was shown the data of each of `subjects` (model instances: an
    application, a survey response, a roster row or user, a photo) as `what`
    (`ReadEntry.What`); `request` gives the page's path. One row per subject, one insert.
    Returns the number of rows written (0 for an anonymous user or nothing shown)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    if isinstance(subjects, models.Model):
        subjects = [subjects]
    now = now or timezone.now()
    where = request.path[:300] if request is not None else ""
    seen: set[tuple[str, str]] = set()
    rows = []
    for subject in subjects:
        key = (subject._meta.label_lower, str(subject.pk))
        if key in seen or subject.pk is None:
            continue
        seen.add(key)
        rows.append(
            ReadEntry(
                organisation_id=subject.organisation_id,
                reader=user,
                reader_name=str(user)[:200],
                reader_role=getattr(user, "role", "")[:30],
                what=what,
                subject_type=key[0],
                subject_id=key[1],
                subject_email=_email_of(subject),
                where=where,
                at=now,
            )
        )
        if len(rows) >= MAX_PER_VIEW:
            break
    if not rows:
        return 0
    try:
        with transaction.atomic():  # a savepoint: a failure leaves the page's transaction usable
            ReadEntry.objects.bulk_create(rows)
    except DatabaseError:
        logger.exception("could not write %s read log rows", len(rows))
        return 0
    return len(rows)


def reads_delete_expired(*, now: datetime | None = None) -> int:
    """Delete reads older than READS_KEEP; returns how many. Reads every tenant: call it with
    scoping off."""
    now = now or timezone.now()
    deleted, _by_model = ReadEntry.objects.filter(at__lt=now - READS_KEEP).delete()
    return deleted

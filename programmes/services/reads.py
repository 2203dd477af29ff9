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
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, connections, models, router, transaction
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


@dataclass(frozen=True)
class ReadSubject:
    """A person shown, named without loading their record: the model's label
    (`programmes.user`), id, organisation and e-mail address; for a list page that read its
    rows as values, so a model instance per row is not built only to be logged."""

    label_lower: str
    pk: int | str
    organisation_id: int
    email: str = ""


# The read log's columns, in the order `record_read` writes them.
_COLUMNS = (
    "organisation",
    "reader",
    "reader_name",
    "reader_role",
    "what",
    "subject_type",
    "subject_id",
    "subject_email",
    "where",
    "at",
)


def record_read(
    *,
    user,
    subjects: Iterable[models.Model | ReadSubject] | models.Model,
    what: str,
    request=None,
    now: datetime | None = None,
) -> int:
    """Log that `user` was shown the data of each of `subjects` (model instances: an
    application, a survey response, a roster row or user, a photo; or `ReadSubject`s) as
    `what` (`ReadEntry.What`); `request` gives the page's path. One row per subject, one
    insert. Returns the number of rows written (0 for an anonymous user or nothing shown)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    if isinstance(subjects, models.Model):
        subjects = [subjects]
    now = now or timezone.now()
    where = request.path[:300] if request is not None else ""
    reader = (user.pk, str(user)[:200], getattr(user, "role", "")[:30], what)
    seen: set[tuple[str, str]] = set()
    rows = []
    for subject in subjects:
        if subject.pk is None:
            continue
        if isinstance(subject, ReadSubject):
            key = (subject.label_lower, str(subject.pk))
            email = (subject.email or "").strip().lower()[:254]
        else:
            key = (subject._meta.label_lower, str(subject.pk))
            email = None
        if key in seen:
            continue
        seen.add(key)
        if email is None:
            email = _email_of(subject)
        rows.append((subject.organisation_id, *reader, *key, email, where))
        if len(rows) >= MAX_PER_VIEW:
            break
    if not rows:
        return 0
    try:
        with transaction.atomic():  # a savepoint: a failure leaves the page's transaction usable
            _insert(rows, now)
    except DatabaseError:
        logger.exception("could not write %s read log rows", len(rows))
        return 0
    return len(rows)


def _insert(rows: list[tuple], now: datetime) -> None:
    """One INSERT of `rows` (each the values of `_COLUMNS` but the moment, `now`): what
    `ReadEntry.objects.bulk_create` writes, without building a model instance per row and
    compiling the insert field by field (at 50 rows that was a third of a list page)."""
    using = router.db_for_write(ReadEntry)
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = ReadEntry._meta
    at = meta.get_field("at").get_db_prep_save(now, connection)
    columns = ", ".join(quote(meta.get_field(name).column) for name in _COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([one] * len(rows))}"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in (*row, at)])


def reads_delete_expired(*, now: datetime | None = None) -> int:
    """Delete reads older than READS_KEEP; returns how many. Reads every tenant: call it with
    scoping off."""
    now = now or timezone.now()
    deleted, _by_model = ReadEntry.objects.filter(at__lt=now - READS_KEEP).delete()
    return deleted

"""The document pipeline: a row per document, rendered to PDF in the background.

Every kind of document is registered once (`programmes.registry.DocumentKind`: code, label, who
may ask for it, and the builder that turns the row into a template and a context); the base
registers its plan of approach, the apps their certificates, flyers and reports, each from its
own `ready()`.

The row is the record of the work, the queued task only a nudge, so nothing stays "being made"
for good:

- an attempt claims the row under a row lock (`attempts`, `attempted_at`), so two deliveries
  of the task never both render it, and a ready or failed document is left alone;
- a transient error (the database or the broker away for a moment, a file system hiccup)
  raises `TransientDocumentError`, and the task tries again later, up to MAX_ATTEMPTS; an
  error of the document itself (a template or builder bug) fails it at once;
- `document_requeue_stale` (a periodic sweep) queues again a document whose task was lost
  (the broker was down) or whose worker died mid-render, and gives up after MAX_ATTEMPTS or
  GIVE_UP_AFTER; then the page offers "try again" (`document_retry`).
"""

import contextlib
import logging
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import replace
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, transaction
from django.db import OperationalError as DatabaseOperationalError
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from PIL import UnidentifiedImageError  # an OSError too: a broken image stays broken
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .. import registry
from ..audit import audit_log
from ..models import Document, Phase
from ..pdf import media_file_url, render_pdf
from ..permissions import has_perm
from ..queueing import enqueue, enqueue_on_commit
from ..selectors import programme_status
from .common import attempt_claim

logger = logging.getLogger(__name__)


class _Builders(MutableMapping):
    """The builder of each registered kind by code (function(document) -> (template, context,
    language)): a view of the kind registry, not a second table. Setting an item swaps the
    builder of a kind that is registered (a test stubs one with `monkeypatch.setitem`)."""

    def __getitem__(self, code: str) -> Callable[[Document], tuple[str, dict, str]]:
        return registry.document_kind(code).builder

    def __setitem__(self, code: str, builder) -> None:
        registry.register_document_kind(replace(registry.document_kind(code), builder=builder))

    def __delitem__(self, code: str) -> None:
        raise TypeError("unregister the document kind instead (programmes.registry)")

    def __iter__(self) -> Iterator[str]:
        return iter([kind.code for kind in registry.document_kinds()])

    def __len__(self) -> int:
        return len(registry.document_kinds())


BUILDERS = _Builders()

# How many attempts a document gets (the task's own retries and the sweep's together).
MAX_ATTEMPTS = 5
# An attempt that started this long ago and did not end died with its worker; a document
# queued this long ago that no attempt started was never handed over. Longer than the task's
# own retry pauses together, so the sweep does not race a retry that is on its way.
STALE_AFTER = timedelta(minutes=5)
# Pending this long (since asked for) and still not made: give up, the page offers "try again".
GIVE_UP_AFTER = timedelta(hours=1)


class TransientDocumentError(Exception):
    """The attempt failed for a reason that may pass (database, broker, file system): try
    again later. `attempt` is the attempt this task claimed; its retry may take it up again."""

    def __init__(self, message: str, *, attempt: int):
        super().__init__(message)
        self.attempt = attempt


def _transient_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [
        DatabaseOperationalError,
        InterfaceError,
        BrokerError,
        OSError,  # includes ConnectionError, TimeoutError
    ]
    errors += [RedisConnectionError, RedisTimeoutError]
    return tuple(errors)


# A file that is not there or may not be read stays so: that is the document's own fault.
_PERMANENT_OS_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


def is_transient(error: BaseException) -> bool:
    """Whether an error may pass by itself, so the same attempt later may succeed."""
    if isinstance(error, (*_PERMANENT_OS_ERRORS, UnidentifiedImageError)):
        return False
    return isinstance(error, _transient_errors())


def documents_available(*, user=None) -> frozenset[str]:
    """The kinds of document of a whole programme that can be asked for from its pages (each
    app registers its own), and with `user` only those that user may ask for. Kinds about one
    thing inside it are asked for by that thing's own page; kinds without a permission are
    made by their app's own service only."""
    return frozenset(
        kind.code
        for kind in registry.document_kinds()
        if not kind.needs_ref
        and kind.permission is not None
        and (user is None or has_perm(user, kind.permission))
    )


@transaction.atomic
def document_request(
    *, actor, organisation, kind: str, programme=None, ref: str = "", owner=None
) -> Document:
    """Ask for a document; it is made in the background once this transaction commits."""
    from ..tasks import document_render  # noqa: PLC0415 - tasks imports this module: circular at module level

    if kind not in BUILDERS:
        raise ValueError(f"no document kind {kind!r} is registered")
    document = Document.objects.create(
        organisation=organisation,
        programme=programme,
        kind=kind,
        requested_by=actor,
        ref=ref,
        owner=owner,
    )
    audit_log(actor=actor, organisation=organisation, action="document.requested", obj=document)
    enqueue_on_commit(document_render, document_id=document.pk, organisation_id=organisation.pk)
    return document


@transaction.atomic
def document_retry(*, actor, document: Document) -> Document:
    """Make a failed document again (the page's "try again"): the same row, so what points at
    it (a certificate) keeps pointing at it. A document that is not failed is left alone."""
    from ..tasks import document_render  # noqa: PLC0415 - tasks imports this module: circular at module level

    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status != Document.Status.FAILED:
        return document
    document.status = Document.Status.PENDING
    document.error = ""
    document.finished_at = None
    document.attempts = 0
    document.attempted_at = None
    document.queued_at = timezone.now()
    document.save(
        update_fields=["status", "error", "finished_at", "attempts", "attempted_at", "queued_at"]
    )
    audit_log(
        actor=actor, organisation=document.organisation, action="document.retried", obj=document
    )
    enqueue_on_commit(
        document_render, document_id=document.pk, organisation_id=document.organisation_id
    )
    return document


def document_claim(*, document_id: int, attempt: int | None = None, now=None) -> Document | None:
    """Start an attempt at a pending document; None when it is ready, failed, gone, or another
    attempt is on it. `attempt` is the attempt this task claimed before (its retry takes it up
    again); an attempt that started more than STALE_AFTER ago is taken over."""
    return attempt_claim(
        Document,
        pk=document_id,
        waiting=Document.Status.PENDING,
        attempt=attempt,
        now=now or timezone.now(),
        stale_after=STALE_AFTER,
    )


def _finish(document: Document, **fields) -> bool:
    """Write the end of this attempt, unless another attempt took the document over meanwhile."""
    return bool(
        Document.objects.filter(
            pk=document.pk, status=Document.Status.PENDING, attempts=document.attempts
        ).update(**fields)
    )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def document_build(*, document_id: int, attempt: int | None = None) -> str:
    """Render a pending document to PDF; a ready or failed one is left alone (the task may run
    twice). Raises TransientDocumentError when the attempt should be made again later."""
    try:
        document = document_claim(document_id=document_id, attempt=attempt)
    except Exception as error:
        if is_transient(error):  # the database is away: this task tries again later
            raise TransientDocumentError(_describe(error), attempt=attempt) from error
        raise
    if document is None:
        return "skipped"
    stored, committed = "", False
    try:
        kind = registry.document_kind(document.kind)
        template, context, language = kind.builder(document)
        pdf = render_pdf(template=template, context=context, language=language)
        stored = document.file.storage.save(
            document.file.field.generate_filename(document, document.filename), ContentFile(pdf)
        )
        finished_at = timezone.now()
        with transaction.atomic():
            if not _finish(
                document, file=stored, status=Document.Status.READY, finished_at=finished_at
            ):
                document.file.storage.delete(stored)
                return "skipped"
            document.file.name = stored
            document.status = Document.Status.READY
            document.finished_at = finished_at
            if kind.on_ready is not None:
                kind.on_ready(document)
        committed = True
        return document.status
    except Exception as error:
        if stored and not committed:
            document.status = Document.Status.PENDING
            document.file.name = ""
            _delete_quietly(document, stored)
        transient = is_transient(error)
        if transient and document.attempts < MAX_ATTEMPTS:
            logger.warning(
                "document %s: attempt %s failed, tried again later: %s",
                document.pk,
                document.attempts,
                _describe(error),
            )
            _note_error(document, error)
            raise TransientDocumentError(_describe(error), attempt=document.attempts) from error
        logger.exception("document %s failed (attempt %s)", document.pk, document.attempts)
        message = _describe(error)
        if transient:
            message = f"Gave up after {document.attempts} attempts. {message}"[:2000]
        # If the database is what failed, this write fails too; the row stays pending and the
        # sweep fails it later (it has had its attempts).
        _finish(
            document,
            status=Document.Status.FAILED,
            error=message,
            finished_at=timezone.now(),
        )
        return Document.Status.FAILED


def _delete_quietly(document: Document, name: str) -> None:
    try:
        document.file.storage.delete(name)
    except OSError:
        logger.warning("document %s: could not remove the unused file %s", document.pk, name)


def _note_error(document: Document, error: BaseException) -> None:
    """Keep the latest error on the row for whoever looks into it; best effort, since the
    database may be what failed."""
    with contextlib.suppress(DatabaseError):
        Document.objects.filter(pk=document.pk, attempts=document.attempts).update(
            error=_describe(error)
        )


def document_requeue_stale(*, now=None) -> int:
    """Queue again the documents a lost task or a dead worker left pending, and fail those that
    had their attempts (or waited GIVE_UP_AFTER); returns how many were queued."""
    from ..tasks import document_render  # noqa: PLC0415 - tasks imports this module: circular at module level

    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    stale_q = Q(attempted_at__lt=cutoff) | Q(attempted_at__isnull=True, queued_at__lt=cutoff)
    stale = Document.objects.filter(Q(status=Document.Status.PENDING) & stale_q).values_list(
        "pk", "organisation_id", "attempts", "queued_at"
    )
    count = 0
    for pk, organisation_id, attempts, queued_at in stale:
        if attempts >= MAX_ATTEMPTS or queued_at < now - GIVE_UP_AFTER:
            Document.objects.filter(
                Q(pk=pk, status=Document.Status.PENDING, attempts=attempts) & stale_q
            ).update(
                status=Document.Status.FAILED,
                error=f"Could not be made after {attempts} attempts; try again.",
                finished_at=now,
            )
            logger.warning("document %s given up after %s attempts", pk, attempts)
            continue
        # The attempt that died holds the document no more: the queued task may take it.
        Document.objects.filter(
            pk=pk, status=Document.Status.PENDING, attempts=attempts, attempted_at__lt=cutoff
        ).update(attempted_at=None)
        enqueue(document_render, document_id=pk, organisation_id=organisation_id)
        count += 1
    return count


def plan_of_approach_pdf(document: Document) -> tuple[str, dict, str]:
    """The plan of approach of a programme, in the client's branding."""
    programme = document.programme
    client = programme.organisation
    milestones = list(programme.milestones.select_related("owner"))
    by_phase = [
        (label, [m for m in milestones if m.phase == value])
        for value, label in Phase.choices
        if any(m.phase == value for m in milestones)
    ]
    context = {
        "programme": programme,
        "client": client,
        "consultancy": client.consultancy,
        "logo_url": media_file_url(client.logo),
        "brand": client.brand_colour,
        "goals": list(programme.goals.all()),
        "partners": list(programme.partners.all()),
        "leaders": list(programme.project_leaders.all()),
        "by_phase": by_phase,
        "status": programme_status(programme, milestones),
        "made_at": timezone.now(),
    }
    language = getattr(document.requested_by, "language", None) or "nl"
    return "pdf/plan.html", context, language

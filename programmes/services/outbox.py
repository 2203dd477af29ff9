"""Delivering outbox messages: at most once per message under normal operation, retried on
transient SMTP errors and on database outages, failed visibly on permanent SMTP errors.

A message is claimed (queued/retrying -> sending) under a row lock in its own transaction, so
a task delivered twice sends once. The claim counts the attempt; a task that lost the database
after claiming retries with that count (`claimed`) and may take its own "sending" row back,
while any other task leaves a "sending" row alone.

Mail that left but could not be marked as sent (the database went away right after the SMTP
server accepted it) is not sent again: the time it left is kept in the worker's memory and
travels with the retry (`delivered_at`), so the retry, or the sweep's task in the same process,
only writes the record. When the record cannot be written in the end either, the row is left in
"sending" and `outbox_requeue_stale` hands it back after STALE_AFTER.

The one remaining duplicate: a worker that dies (killed, machine lost) after the SMTP server
accepted a message and before "sent" was committed, or whose retry could not be handed to the
broker and whose memory is lost, leaves the row in "sending"; the sweep then sends it again.
The copy carries the same Message-ID, so mail clients show it once.

A held message (`send_after` in the future) is not claimed before its time; cancelling it
takes the same row lock as the claim, so a message is either cancelled or sent, never both.

Bursts go out in batches (`outbox_deliver_batch`): one task claims up to BATCH_SIZE due
messages of an organisation at once (rows another worker is claiming are skipped, not waited
for), marks them "sending" with one claim time, and sends them over one SMTP connection,
recording each as sent right after the server accepted it. So a worker killed mid-batch leaves
at most the message in flight with the duplicate window above; the rest of its claim stays
"sending", unsent, and the sweep hands it back after STALE_AFTER. A batch stops taking new
messages well before STALE_AFTER (BATCH_BUDGET) and gives the rest back, so the sweep never
hands back a message its batch is still going to send. A transient failure in a batch retries
that one message on its own, as a single send would.
"""

import logging
import smtplib
import time
from collections import Counter
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import mailers
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..mime import email_for
from ..models import OutboxMessage, User
from ..queueing import enqueue, enqueue_on_commit

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)

# Messages one batch claims and sends over one SMTP connection.
BATCH_SIZE = 50

# A batch takes no new message after this long and gives the rest of its claim back, well
# before the sweep would hand them back (STALE_AFTER).
BATCH_BUDGET = STALE_AFTER / 3

# Tries of one message in all: the first and the task's retries (OUTBOX_MAX_RETRIES).
MAX_ATTEMPTS = 9


class TransientMailError(Exception):
    """The server may accept the message later: retry."""


class OutboxBatchInterrupted(Exception):
    """The database went away during a batch: retry with `claims`, one [id, attempt claimed,
    when it left (ISO) or None] per message of the batch not finished yet."""

    def __init__(self, *, claims: list):
        super().__init__(f"database unavailable during a batch ({len(claims)} messages open)")
        self.claims = claims


class OutboxInterrupted(Exception):
    """The database went away while a message was being delivered: retry, passing `claimed`
    (the attempt this task claimed, or None) and `delivered_at` (when the mail left, or None)
    back to `outbox_deliver`."""

    def __init__(self, *, claimed: int | None, delivered_at=None):
        super().__init__(
            f"database unavailable (claimed attempt {claimed}, delivered at {delivered_at})"
        )
        self.claimed = claimed
        self.delivered_at = delivered_at


# Errors of a database that cannot be reached (down, restarting, connection lost): worth a
# retry. Integrity or programming errors are not.
DATABASE_ERRORS = (OperationalError, InterfaceError)

# Messages this process handed to the SMTP server but could not mark as sent yet: id -> when
# they left. Checked before any send, so the retry only writes the record.
_delivered_unrecorded: dict[int, datetime] = {}


def _is_transient(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError))


def outbox_claim(*, message_id: int, claimed: int | None = None) -> OutboxMessage | None:
    """Mark the message as being sent; None when it is sent, failed, cancelled, being sent
    already or held until later. `claimed`: the attempt an interrupted task claimed before;
    that task may take its own "sending" row back (nobody claimed it since)."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return None
        ours = (
            claimed is not None
            and message.status == OutboxMessage.Status.SENDING
            and message.attempts == claimed
        )
        if not ours and message.status not in (
            OutboxMessage.Status.QUEUED,
            OutboxMessage.Status.RETRYING,
        ):
            return None
        if message.send_after is not None and message.send_after > timezone.now():
            return None
        message.status = OutboxMessage.Status.SENDING
        message.attempts += 1
        message.attempted_at = timezone.now()
        message.save(update_fields=["status", "attempts", "attempted_at"])
        return message


def outbox_record_sent(*, message_id: int, sent_at) -> str:
    """Mark a message that has left as sent; never sends."""
    # One statement: a row that is sent already keeps its first time.
    updated = (
        OutboxMessage.objects.filter(pk=message_id)
        .exclude(status=OutboxMessage.Status.SENT)
        .update(status=OutboxMessage.Status.SENT, sent_at=sent_at, last_error="")
    )
    exists = updated or OutboxMessage.objects.filter(pk=message_id).exists()
    _delivered_unrecorded.pop(message_id, None)
    return OutboxMessage.Status.SENT if exists else "skipped"


def outbox_deliver(
    *,
    message_id: int,
    final_attempt: bool = False,
    claimed: int | None = None,
    delivered_at=None,
) -> str:
    """Send one message. Raises TransientMailError when the SMTP server should be tried again
    later, OutboxInterrupted when the database went away (retry with its `claimed` and
    `delivered_at`)."""
    delivered_at = delivered_at or _delivered_unrecorded.get(message_id)
    if delivered_at is not None:
        # It left already: only the record is missing.
        try:
            return outbox_record_sent(message_id=message_id, sent_at=delivered_at)
        except DATABASE_ERRORS as error:
            raise OutboxInterrupted(claimed=claimed, delivered_at=delivered_at) from error
    try:
        message = outbox_claim(message_id=message_id, claimed=claimed)
    except DATABASE_ERRORS as error:
        raise OutboxInterrupted(claimed=claimed) from error
    if message is None:
        return "skipped"
    claimed = message.attempts
    final_attempt = final_attempt or message.attempts >= MAX_ATTEMPTS
    try:
        email_for(message).send()
    except DATABASE_ERRORS as error:  # reading the attachment's row
        raise OutboxInterrupted(claimed=claimed) from error
    except Exception as error:  # noqa: BLE001 - classified below, never swallowed silently
        transient = _is_transient(error) and not final_attempt
        message.status = OutboxMessage.Status.RETRYING if transient else OutboxMessage.Status.FAILED
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        try:
            message.save(update_fields=["status", "last_error"])
        except DATABASE_ERRORS as db_error:
            raise OutboxInterrupted(claimed=claimed) from db_error
        if transient:
            raise TransientMailError(message.last_error) from error
        return message.status
    sent_at = timezone.now()
    _delivered_unrecorded[message_id] = sent_at
    try:
        return outbox_record_sent(message_id=message_id, sent_at=sent_at)
    except DATABASE_ERRORS as error:
        raise OutboxInterrupted(claimed=claimed, delivered_at=sent_at) from error


def _due(now) -> Q:
    return Q(status=OutboxMessage.Status.QUEUED) & (
        Q(send_after__isnull=True) | Q(send_after__lte=now)
    )


def outbox_claim_batch(
    *, organisation_id: int, limit: int = BATCH_SIZE, message_ids: list | None = None
) -> list[OutboxMessage]:
    """Claim up to `limit` due messages of the organisation (of `message_ids` when given),
    oldest first: mark them "sending" with one claim time (the batch's token) and count the
    attempt. Rows another worker holds locked while claiming are skipped, so two batches never
    get the same message."""
    now = timezone.now()
    due = OutboxMessage.objects.filter(_due(now), organisation_id=organisation_id)
    if message_ids is not None:
        due = due.filter(pk__in=message_ids)
    with transaction.atomic():
        ids = list(
            due.select_for_update(skip_locked=True)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        # The status condition keeps the claim safe where rows cannot be locked (SQLite
        # serialises the writes instead): only what is still queued becomes ours.
        OutboxMessage.objects.filter(pk__in=ids, status=OutboxMessage.Status.QUEUED).update(
            status=OutboxMessage.Status.SENDING, attempts=F("attempts") + 1, attempted_at=now
        )
    return list(
        OutboxMessage.objects.filter(
            pk__in=ids, status=OutboxMessage.Status.SENDING, attempted_at=now
        )
        .select_related("attachment")
        .order_by("created_at", "pk")
    )


def _release(messages: list[OutboxMessage]) -> int:
    """Give back claimed messages that were not tried (still ours: same claim time)."""
    released = 0
    for message in messages:
        released += OutboxMessage.objects.filter(
            pk=message.pk,
            status=OutboxMessage.Status.SENDING,
            attempted_at=message.attempted_at,
        ).update(status=OutboxMessage.Status.QUEUED, attempts=F("attempts") - 1)
    return released


def _retake(claims: list) -> tuple[list[OutboxMessage], Counter]:
    """After the database came back: write down what left, take back the rest of the claim
    (only where nobody claimed the message since)."""
    counts: Counter = Counter()
    messages = []
    for message_id, claimed, left in claims:
        delivered = datetime.fromisoformat(left) if left else _delivered_unrecorded.get(message_id)
        if delivered is not None:
            counts[outbox_record_sent(message_id=message_id, sent_at=delivered)] += 1
            continue
        message = outbox_claim(message_id=message_id, claimed=claimed)
        if message is None:
            counts["skipped"] += 1
        else:
            messages.append(message)
    return messages, counts


def _open_claims(messages: list[OutboxMessage], left=None) -> list:
    """The claims of `messages` for a retry; the first left at `left` when given."""
    claims = [[m.pk, m.attempts, None] for m in messages]
    if claims and left is not None:
        claims[0][2] = left.isoformat()
    return claims


def _close(mailer) -> None:
    try:
        mailer.close()
    except Exception:  # noqa: BLE001 - every message is recorded already; only the goodbye failed
        logger.warning("closing the SMTP connection failed", exc_info=True)


def outbox_deliver_batch(
    *,
    organisation_id: int,
    limit: int = BATCH_SIZE,
    message_ids: list | None = None,
    claims: list | None = None,
    chain=None,
) -> dict:
    """Claim up to `limit` due messages of the organisation (of `message_ids` when given; or,
    after an interruption, take back `claims`) and send them over one SMTP connection, each
    recorded as sent right after the server accepted it. `chain`, when given, is called once
    a full batch is claimed (before sending), so the next batch can start on another worker.
    Returns counts per outcome ("claimed", "sent", "retrying", "failed", "skipped",
    "released").

    Raises OutboxBatchInterrupted when the database went away (retry with its `claims`)."""
    from ..tasks import _outbox_backoff, outbox_send  # noqa: PLC0415 - tasks imports this module: circular at module level

    counts: Counter = Counter()
    if claims:
        try:
            pending, counts = _retake(claims)
        except DATABASE_ERRORS as error:
            raise OutboxBatchInterrupted(claims=claims) from error
    else:
        try:
            pending = outbox_claim_batch(
                organisation_id=organisation_id, limit=limit, message_ids=message_ids
            )
        except DATABASE_ERRORS as error:
            raise OutboxBatchInterrupted(claims=[]) from error
        if chain is not None and len(pending) >= limit:
            chain()
    counts["claimed"] += len(pending)
    started = time.monotonic()
    mailer = None
    try:
        while pending:
            message = pending[0]
            tried = counts["claimed"] - len(pending)
            if tried and time.monotonic() - started > BATCH_BUDGET.total_seconds():
                try:
                    counts["released"] += _release(pending)
                except DATABASE_ERRORS as error:
                    raise OutboxBatchInterrupted(claims=_open_claims(pending)) from error
                if chain is not None:
                    chain()
                break
            try:
                if mailer is None:
                    mailer = mailers.default
                    mailer.open()
                mailer.send_messages([email_for(message)])
            except DATABASE_ERRORS as error:  # reading the attachment's row
                raise OutboxBatchInterrupted(claims=_open_claims(pending)) from error
            except Exception as error:  # noqa: BLE001 - classified below, never swallowed silently
                # The connection may be broken or mid-conversation: start a new one.
                if mailer is not None:
                    _close(mailer)
                    mailer = None
                transient = _is_transient(error) and message.attempts < MAX_ATTEMPTS
                status = OutboxMessage.Status.RETRYING if transient else OutboxMessage.Status.FAILED
                last_error = f"{type(error).__name__}: {error}"[:2000]
                try:
                    OutboxMessage.objects.filter(pk=message.pk).update(
                        status=status, last_error=last_error
                    )
                except DATABASE_ERRORS as db_error:
                    raise OutboxBatchInterrupted(claims=_open_claims(pending)) from db_error
                if transient:
                    # This one message tries again on its own, with backoff (at once when
                    # tasks run in-process), as a single send would.
                    enqueue(
                        outbox_send,
                        eta=timezone.now()
                        + timedelta(seconds=_outbox_backoff(message.attempts - 1)),
                        message_id=message.pk,
                        organisation_id=message.organisation_id,
                    )
                counts[status] += 1
                pending.pop(0)
                continue
            sent_at = timezone.now()
            _delivered_unrecorded[message.pk] = sent_at
            try:
                counts[outbox_record_sent(message_id=message.pk, sent_at=sent_at)] += 1
            except DATABASE_ERRORS as error:
                raise OutboxBatchInterrupted(claims=_open_claims(pending, sent_at)) from error
            pending.pop(0)
    finally:
        if mailer is not None:
            _close(mailer)
    return dict(counts)


def outbox_retry(*, message: OutboxMessage) -> OutboxMessage:
    """Put a failed message back in the queue (the project leader's "send again")."""
    from ..tasks import outbox_send  # noqa: PLC0415 - tasks imports this module: circular at module level

    if message.status == OutboxMessage.Status.FAILED:
        message.status = OutboxMessage.Status.QUEUED
        message.save(update_fields=["status"])
        enqueue_on_commit(
            outbox_send, message_id=message.pk, organisation_id=message.organisation_id
        )
    return message


def outbox_requeue_stale(*, now=None) -> int:
    """Queue again what a lost task or a dead worker left behind; returns how many. Messages
    still queued go out in batches (one task per BATCH_SIZE of them), the
    ones a try was made at are retried on their own."""
    from ..tasks import outbox_flush, outbox_send  # noqa: PLC0415 - tasks imports this module: circular at module level

    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    stale = OutboxMessage.objects.filter(
        Q(status=OutboxMessage.Status.QUEUED, created_at__lt=cutoff)
        & (Q(send_after__isnull=True) | Q(send_after__lt=cutoff))
        | Q(
            status__in=[OutboxMessage.Status.RETRYING, OutboxMessage.Status.SENDING],
            attempted_at__lt=cutoff,
        )
    ).values_list("pk", "organisation_id", "status")
    count = 0
    flush: dict[int, list[int]] = {}
    for pk, organisation_id, status in stale:
        if status == OutboxMessage.Status.QUEUED:
            flush.setdefault(organisation_id, []).append(pk)
            count += 1
            continue
        if status == OutboxMessage.Status.SENDING:
            # Hand it back only if it is still the same stale claim (the task that claimed it
            # may have come back meanwhile); the send itself claims it again under the lock.
            handed_back = OutboxMessage.objects.filter(
                pk=pk, status=status, attempted_at__lt=cutoff
            ).update(status=OutboxMessage.Status.RETRYING)
            if not handed_back:
                continue
        enqueue(outbox_send, message_id=pk, organisation_id=organisation_id)
        count += 1
    _flush_in_batches(outbox_flush, flush)
    return count


def _flush_in_batches(task, ids_by_organisation: dict) -> None:
    """One batch task per BATCH_SIZE of the messages found, per organisation."""
    for organisation_id, ids in sorted(ids_by_organisation.items()):
        for start in range(0, len(ids), BATCH_SIZE):
            enqueue(
                task, organisation_id=organisation_id, message_ids=ids[start : start + BATCH_SIZE]
            )


def outbox_send_due(*, now=None) -> int:
    """Send held messages whose time has come (the periodic sweep): one batch task per
    BATCH_SIZE of them per organisation; returns how many messages are due. Queuing a batch twice is
    harmless: a message is claimed by one batch only."""
    from ..tasks import outbox_flush  # noqa: PLC0415 - tasks imports this module: circular at module level

    now = now or timezone.now()
    due: dict[int, list[int]] = {}
    for pk, organisation_id in (
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.QUEUED, send_after__isnull=False, send_after__lte=now
        )
        .order_by("send_after", "pk")
        .values_list("pk", "organisation_id")
    ):
        due.setdefault(organisation_id, []).append(pk)
    _flush_in_batches(outbox_flush, due)
    return sum(len(ids) for ids in due.values())


@transaction.atomic
def outbox_cancel_held(*, actor: User | None, ref: str) -> int:
    """Cancel the messages a decision (`ref`) still holds, so they are never sent; returns
    how many. Refused when one of them has left (or is leaving) already: then the decision
    can no longer be undone quietly."""
    messages = list(
        OutboxMessage.objects.select_for_update()
        .filter(ref=ref)
        .exclude(status=OutboxMessage.Status.CANCELLED)
        .order_by("pk")
    )
    if not ref or not messages:
        raise ValidationError(_("There is nothing to undo."))
    if any(m.status != OutboxMessage.Status.QUEUED for m in messages):
        raise ValidationError(
            _("The e-mail has already been sent, so this can no longer be undone.")
        )
    for message in messages:
        message.status = OutboxMessage.Status.CANCELLED
        message.save(update_fields=["status"])
        audit_log(
            actor=actor,
            organisation=message.organisation,
            action="outbox.cancelled",
            obj=message,
            data={"ref": ref},
        )
    return len(messages)


def outbox_held(*, refs) -> dict:
    """For each ref that still holds a message in the queue: until when (one query)."""
    held = {}
    for ref, send_after in OutboxMessage.objects.filter(
        ref__in=list(refs), status=OutboxMessage.Status.QUEUED, send_after__gt=timezone.now()
    ).values_list("ref", "send_after"):
        held[ref] = max(send_after, held.get(ref, send_after))
    return held

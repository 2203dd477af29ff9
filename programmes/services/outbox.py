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
"""

import smtplib
from datetime import datetime, timedelta
from email.utils import formataddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import OutboxMessage, User
from ..queueing import enqueue, enqueue_on_commit

STALE_AFTER = timedelta(minutes=15)


class TransientMailError(Exception):
    """The server may accept the message later: retry."""


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
    """Mark a message that has left as sent (under the row lock); never sends."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            _delivered_unrecorded.pop(message_id, None)
            return "skipped"
        if message.status != OutboxMessage.Status.SENT:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = sent_at
            message.last_error = ""
            message.save(update_fields=["status", "sent_at", "last_error"])
    _delivered_unrecorded.pop(message_id, None)
    return OutboxMessage.Status.SENT


def _email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[
            formataddr((message.to_name, message.to_email)) if message.to_name else message.to_email
        ],
        headers={"Message-ID": message.message_id},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    document = message.attachment
    if document is not None and document.file:
        with document.file.open("rb") as fh:
            with translation.override(message.language or "nl"):
                name = document.download_name
            email.attach(name, fh.read(), "application/pdf")
    return email


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
    try:
        _email(message).send()
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


def outbox_retry(*, message: OutboxMessage) -> OutboxMessage:
    """Put a failed message back in the queue (the project leader's "send again")."""
    from ..tasks import outbox_send

    if message.status == OutboxMessage.Status.FAILED:
        message.status = OutboxMessage.Status.QUEUED
        message.save(update_fields=["status"])
        enqueue_on_commit(
            outbox_send, message_id=message.pk, organisation_id=message.organisation_id
        )
    return message


def outbox_requeue_stale(*, now=None) -> int:
    """Queue again what a lost task or a dead worker left behind; returns how many."""
    from ..tasks import outbox_send

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
    for pk, organisation_id, status in stale:
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
    return count


def outbox_send_due(*, now=None) -> int:
    """Queue held messages whose time has come (the periodic sweep); returns how many.
    Queuing one twice is harmless: the claim sends it once."""
    from ..tasks import outbox_send

    now = now or timezone.now()
    due = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.QUEUED, send_after__isnull=False, send_after__lte=now
    ).values_list("pk", "organisation_id")
    count = 0
    for pk, organisation_id in due:
        enqueue(outbox_send, message_id=pk, organisation_id=organisation_id)
        count += 1
    return count


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

"""Delivering outbox messages: at most once per message under normal operation, retried on
transient SMTP errors, failed visibly on permanent ones.

A message is claimed (queued/retrying -> sending) under a row lock in its own transaction, so
a task delivered twice sends once. A worker that dies after claiming leaves the row in
"sending"; `outbox_requeue_stale` hands such rows back after a while. That resend may repeat a
message that did go out just before the crash; it carries the same Message-ID, so mail clients
show it once.

A held message (`send_after` in the future) is not claimed before its time; cancelling it
takes the same row lock as the claim, so a message is either cancelled or sent, never both.
"""

import smtplib
from datetime import timedelta
from email.utils import formataddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import OutboxMessage, User
from ..queueing import enqueue, enqueue_on_commit

STALE_AFTER = timedelta(minutes=15)


class TransientMailError(Exception):
    """The server may accept the message later: retry."""


def _is_transient(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError))


def outbox_claim(*, message_id: int) -> OutboxMessage | None:
    """Mark the message as being sent; None when it is sent, failed, cancelled, being sent
    already or held until later."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status not in (
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


def outbox_deliver(*, message_id: int, final_attempt: bool = False) -> str:
    """Send one message. Raises TransientMailError when it should be retried later."""
    message = outbox_claim(message_id=message_id)
    if message is None:
        return "skipped"
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
    try:
        email.send()
    except Exception as error:  # noqa: BLE001 - classified below, never swallowed silently
        transient = _is_transient(error) and not final_attempt
        message.status = OutboxMessage.Status.RETRYING if transient else OutboxMessage.Status.FAILED
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        message.save(update_fields=["status", "last_error"])
        if transient:
            raise TransientMailError(message.last_error) from error
        return message.status
    message.status = OutboxMessage.Status.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    message.save(update_fields=["status", "sent_at", "last_error"])
    return message.status


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
            OutboxMessage.objects.filter(pk=pk, status=status).update(
                status=OutboxMessage.Status.RETRYING
            )
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

"""Mail through the outbox: render in the recipient's language, store one row, send by task.

Templates live in `templates/email/<app>/<name>_subject.txt`, `<name>.txt` and `<name>.html`.
The row is written in the caller's transaction and the send task queued only after commit, so
a rolled-back change never sends mail and a crashed worker loses nothing (the row stays).

A decision that mails someone can hold its messages for a while (`mail_hold`), so it can be
undone before anything leaves: the row carries `send_after`, the outbox refuses to send it
earlier and the periodic sweep sends it once its time has come.

One transaction that queues many messages (invitations to a meeting, a mailing) hands the
worker one batch task per organisation at commit, which sends them over one SMTP connection
per batch; a transaction that queues one message (a login code, a single notice) hands over a
task for that message alone, so it leaves at once.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .links import site_url
from .models import OutboxMessage
from .queueing import enqueue

_hold: ContextVar[tuple | None] = ContextVar("mail_hold", default=None)


@contextmanager
def mail_hold(*, ref: str, seconds: int | None = None):
    """Hold every message queued inside the block for `seconds` (default: the setting
    DECISION_UNDO_SECONDS) and tag it with `ref`, so the decision behind it can be undone
    until it leaves. Yields the moment the messages go out (None when nothing is held)."""
    seconds = settings.DECISION_UNDO_SECONDS if seconds is None else seconds
    send_after = timezone.now() + timedelta(seconds=seconds) if seconds > 0 else None
    token = _hold.set((send_after, ref[:100]))
    try:
        yield send_after
    finally:
        _hold.reset(token)


class _SendOnCommit:
    """The commit callback of the messages one transaction (at one savepoint level) queued
    for one organisation and one moment: a task per message for one, a batch for more."""

    def __init__(self, *, organisation_id: int, send_after):
        self.organisation_id = organisation_id
        self.send_after = send_after
        self.message_ids: list[int] = []
        self.done = False

    def __call__(self) -> None:
        from .tasks import outbox_flush, outbox_send

        self.done = True
        if len(self.message_ids) == 1:
            enqueue(
                outbox_send,
                eta=self.send_after,
                message_id=self.message_ids[0],
                organisation_id=self.organisation_id,
            )
        else:
            enqueue(outbox_flush, eta=self.send_after, organisation_id=self.organisation_id)


def _send_on_commit(message: OutboxMessage) -> None:
    """Have `message` sent once the current transaction commits (at once outside one),
    together with the others the same transaction queued."""
    connection = transaction.get_connection()
    # Django keeps the callbacks of the open transaction as (savepoint ids, callback, ...);
    # outside a transaction there are none and on_commit runs the callback at once. Joining
    # a callback registered in another savepoint (each service call has its own) is safe: a
    # rollback drops a callback only through a savepoint still open, and every savepoint
    # still open encloses this message too, so its row goes with it. Never join one that ran.
    for entry in connection.run_on_commit if connection.in_atomic_block else ():
        callback = entry[1]
        if (
            isinstance(callback, _SendOnCommit)
            and not callback.done
            and callback.organisation_id == message.organisation_id
            and callback.send_after == message.send_after
        ):
            callback.message_ids.append(message.pk)
            return
    callback = _SendOnCommit(organisation_id=message.organisation_id, send_after=message.send_after)
    callback.message_ids.append(message.pk)
    transaction.on_commit(callback)


def render_mail(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Return (subject, text body, html body) for `template` in `language`."""
    ctx = {"site_url": site_url(), "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        subject = render_to_string(f"email/{template}_subject.txt", ctx)
        text = render_to_string(f"email/{template}.txt", ctx)
        html = render_to_string(f"email/{template}.html", ctx)
    return " ".join(subject.split()), text, html


def mail_queue(
    *,
    organisation,
    to: str,
    template: str,
    context: dict,
    language: str = "nl",
    to_name: str = "",
    programme=None,
    attachment=None,
) -> OutboxMessage:
    """Render a message into the outbox and send it once the current transaction commits
    (or, inside `mail_hold`, once the hold is over)."""
    from .tasks import outbox_send

    send_after, ref = _hold.get() or (None, "")
    subject, text, html = render_mail(
        template=template,
        context={"organisation": organisation, "programme": programme, **context},
        language=language,
    )
    message = OutboxMessage.objects.create(
        organisation=organisation,
        programme=programme,
        template=template,
        to_email=to,
        to_name=to_name,
        language=language,
        subject=subject[:300],
        body_text=text,
        body_html=html,
        attachment=attachment,
        send_after=send_after,
        ref=ref,
    )
    if send_after is None or not outbox_send.app.conf.task_always_eager:
        # A held message: a worker holds the task until then; the sweep (outbox_send_due) is
        # the safety net and the only sender when tasks run in-process.
        _send_on_commit(message)
    return message

"""Mail through the outbox: render in the recipient's language, store one row, send by task.

Templates live in `templates/email/<app>/<name>_subject.txt`, `<name>.txt` and `<name>.html`.
The row is written in the caller's transaction and the send task queued only after commit, so
a rolled-back change never sends mail and a crashed worker loses nothing (the row stays).

A decision that mails someone can hold its messages for a while (`mail_hold`), so it can be
undone before anything leaves: the row carries `send_after`, the outbox refuses to send it
earlier and the periodic sweep sends it once its time has come.

Every message gets its own send task at commit (a login code leaves at once). A bulk action
(invitations to a meeting, a mailing) queues its messages inside `mail_burst()`: then the
worker gets one batch task per BATCH_SIZE messages, each sent over one SMTP connection.
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
from .queueing import enqueue, enqueue_on_commit

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


_burst: ContextVar[dict | None] = ContextVar("mail_burst", default=None)


@contextmanager
def mail_burst():
    """Send the messages queued inside the block in batches (one task per BATCH_SIZE messages
    of an organisation and moment, one SMTP connection each) once the transaction commits,
    instead of one task per message. For bulk actions; a nested block joins the outer one."""
    if _burst.get() is not None:
        yield
        return
    pending: dict = {}
    token = _burst.set(pending)
    try:
        yield
    finally:
        _burst.reset(token)
        for (organisation_id, send_after), ids in pending.items():
            transaction.on_commit(
                _send_batches(organisation_id=organisation_id, send_after=send_after, ids=ids)
            )


def _send_batches(*, organisation_id: int, send_after, ids: list[int]):
    def send() -> None:
        from .services.outbox import BATCH_SIZE  # noqa: PLC0415 - the services import this module: circular
        from .tasks import outbox_flush, outbox_send  # noqa: PLC0415 - tasks import services, which import this module

        if len(ids) == 1:
            enqueue(outbox_send, eta=send_after, message_id=ids[0], organisation_id=organisation_id)
            return
        for start in range(0, len(ids), BATCH_SIZE):
            enqueue(
                outbox_flush,
                eta=send_after,
                organisation_id=organisation_id,
                message_ids=ids[start : start + BATCH_SIZE],
            )

    return send


def render_mail(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Return (subject, text body, html body) for `template` in `language`."""
    ctx = {"site_url": site_url(), "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        subject = render_to_string(f"email/{template}_subject.txt", ctx)
        text = render_to_string(f"email/{template}.txt", ctx)
        html = render_to_string(f"email/{template}.html", ctx)
    return " ".join(subject.split()), text, html


# Files one mail carries at most (a signal's photos: each at most a few hundred kilobytes).
MAIL_FILES_MAX = 5


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
    headers: dict | None = None,
    files: list[dict] | None = None,
) -> OutboxMessage:
    """Render a message into the outbox and send it once the current transaction commits
    (or, inside `mail_hold`, once the hold is over). `headers`: extra mail headers, such as a
    notification's List-Unsubscribe (only the names `programmes.mime` allows are sent).
    `files`: stored files to send along, each {"path", "name", "type"} (at most MAIL_FILES_MAX)."""
    from .tasks import outbox_send  # noqa: PLC0415 - tasks import services, which import this module

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
        headers=headers or {},
        files=[
            {"path": f["path"], "name": f["name"][:100], "type": f["type"]}
            for f in (files or [])[:MAIL_FILES_MAX]
        ],
        send_after=send_after,
        ref=ref,
    )
    if send_after is not None and outbox_send.app.conf.task_always_eager:
        # Held, in-process: the sweep (outbox_send_due) sends it once its time has come.
        return message
    burst = _burst.get()
    if burst is not None:
        burst.setdefault((organisation.pk, send_after), []).append(message.pk)
    else:
        # Held: a worker holds the task until then; the sweep is the safety net.
        enqueue_on_commit(
            outbox_send, eta=send_after, message_id=message.pk, organisation_id=organisation.pk
        )
    return message

"""Mail through the outbox: render in the recipient's language, store one row, send by task.

Templates live in `templates/email/<app>/<name>_subject.txt`, `<name>.txt` and `<name>.html`.
The row is written in the caller's transaction and the send task queued only after commit, so
a rolled-back change never sends mail and a crashed worker loses nothing (the row stays).

A decision that mails someone can hold its messages for a while (`mail_hold`), so it can be
undone before anything leaves: the row carries `send_after`, the outbox refuses to send it
earlier and the periodic sweep sends it once its time has come.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .links import site_url
from .models import OutboxMessage
from .queueing import enqueue_on_commit

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
    if send_after is None:
        enqueue_on_commit(outbox_send, message_id=message.pk, organisation_id=organisation.pk)
    elif not outbox_send.app.conf.task_always_eager:
        # A worker holds the task until then; the sweep (outbox_send_due) is the safety net
        # and the only sender when tasks run in-process.
        enqueue_on_commit(
            outbox_send, eta=send_after, message_id=message.pk, organisation_id=organisation.pk
        )
    return message

"""Mail through the outbox: render in the recipient's language, store one row, send by task.

Templates live in `templates/email/<app>/<name>_subject.txt`, `<name>.txt` and `<name>.html`.
The row is written in the caller's transaction and the send task queued only after commit, so
a rolled-back change never sends mail and a crashed worker loses nothing (the row stays).
"""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .links import site_url
from .models import OutboxMessage


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
    """Render a message into the outbox and send it once the current transaction commits."""
    from .tasks import outbox_send

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
    )
    transaction.on_commit(
        lambda: outbox_send.delay(message_id=message.pk, organisation_id=organisation.pk)
    )
    return message

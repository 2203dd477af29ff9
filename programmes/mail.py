"""Rendering and sending mail in the recipient's language.

Templates live in `templates/email/<app>/<name>_subject.txt`, `<name>.txt` and `<name>.html`.
Messages are rendered at once (the recipient's language, the organisation's branding) and
handed to a task after the transaction commits, so a rolled-back change never sends mail.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_mail(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Return (subject, text body, html body) for `template` in `language`."""
    ctx = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"email/{template}_subject.txt", ctx)
        text = render_to_string(f"email/{template}.txt", ctx)
        html = render_to_string(f"email/{template}.html", ctx)
    return " ".join(subject.split()), text, html


def mail_send(*, to: str, template: str, context: dict, language: str = "nl") -> None:
    """Render a message and queue it for sending once the current transaction commits."""
    from .tasks import send_rendered_mail

    subject, text, html = render_mail(template=template, context=context, language=language)
    send_rendered_mail.delay_on_commit(to=to, subject=subject, text=text, html=html)

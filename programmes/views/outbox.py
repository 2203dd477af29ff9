"""A programme's mail: every message sent for it, and sending a failed one again."""

from html import escape

from django.contrib import messages
from django.template.backends.utils import csrf_input
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from .. import selectors, services
from ..dates import datetime_formatter
from ..mixins import ProgrammeMixin
from ..models import OutboxMessage
from ..pagination import paginate
from ..permissions import Perm
from .mail import STATUS_BADGE
from .rows import row_url


class OutboxView(ProgrammeMixin, TemplateView):
    """Every message sent for the programme: to whom, what, when, status. Each row is prepared
    here as the text it shows, so the template only places it."""

    template_name = "programmes/outbox.html"

    def get_context_data(self, **kwargs):
        programme = self.get_programme()
        page = paginate(self.request, selectors.outbox_rows_for_programme(programme=programme))
        retry_url = None
        if OutboxRetryView.allows(self.request.user, "POST"):
            retry_url = row_url(
                "outbox_retry",
                "message_pk",
                org=self.get_client().slug,
                programme_pk=programme.pk,
            )
        page.object_list = message_rows(page.object_list, retry_url=retry_url)
        return super().get_context_data(
            page=page, rows_html=message_rows_html(page.object_list, request=self.request), **kwargs
        )


def message_rows(messages_, *, retry_url) -> list[dict]:
    """What a row of the programme's mail shows: the times in words, the status badge, the
    error cut short and the "send again" link of a failed message (when `retry_url` is given)."""
    when = datetime_formatter("j N H:i")
    labels = dict(OutboxMessage.Status.choices)
    failed, queued, sent = "failed", "queued", "sent"
    rows = []
    for m in messages_:
        status = m["status"]
        rows.append(
            {
                "when": when(m["created_at"]),
                "to": m["to_name"] or m["to_email"],
                "to_email": m["to_email"],
                "subject": m["subject"],
                "badge": STATUS_BADGE.get(status, "secondary"),
                "status": labels.get(status, status),
                "held": _("held until %(time)s") % {"time": when(m["send_after"])}
                if status == queued and m["send_after"]
                else "",
                "sent": when(m["sent_at"]),
                "error": Truncator(m["last_error"]).chars(120)
                if m["last_error"] and status != sent
                else "",
                "retry_url": retry_url(m["pk"]) if retry_url and status == failed else "",
            }
        )
    return rows


def message_rows_html(rows, *, request) -> SafeString:
    """The table rows of `message_rows` as HTML, written here rather than as a template loop
    (at 50 rows the template engine's cost per variable and tag was half the page): the
    markup the template had, every value escaped as autoescape does."""
    form_head = form_tail = ""
    if any(row["retry_url"] for row in rows):
        form_tail = (
            f'{csrf_input(request)}<button class="btn btn-sm btn-outline-secondary" type="submit">'
            f"{escape(_('Send again'))}</button></form>"
        )
    out = []
    for row in rows:
        notes = "".join(
            f'<div class="small {css}">{escape(row[key])}</div>'
            for key, css in (
                ("held", "text-body-secondary"),
                ("sent", "text-body-secondary"),
                ("error", "text-danger text-break"),
            )
            if row[key]
        )
        if row["retry_url"]:
            form_head = f'<form method="post" action="{escape(row["retry_url"])}">'
        out.append(
            f'<tr><td class="text-nowrap">{escape(row["when"])}</td>'
            f'<td class="text-break">{escape(row["to"])}'
            f'<div class="small text-body-secondary">{escape(row["to_email"])}</div></td>'
            f"<td>{escape(row['subject'])}</td>"
            f'<td><span class="badge text-bg-{escape(row["badge"])}">{escape(str(row["status"]))}'
            f"</span>{notes}</td>"
            f"<td>{form_head + form_tail if row['retry_url'] else ''}</td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value is escaped above


class OutboxRetryView(ProgrammeMixin, View):
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        message = selectors.get_programme_outbox_message_for(
            programme=programme, pk=kwargs["message_pk"]
        )
        services.outbox_retry(message=message)
        messages.success(request, _("The message will be sent again."))
        return self.redirect_to("programme_outbox")

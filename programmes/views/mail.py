"""The consultancy's mail: every message of the consultancy and its clients, failed ones first
to act on. Mail that belongs to no programme (account invitations, login codes, password
resets) is only visible here; a failed one can be sent again."""

from html import escape

from django.contrib import messages
from django.core.paginator import Page
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.backends.utils import csrf_input
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from .. import selectors, services
from ..dates import datetime_formatter
from ..mail_errors import mail_error_text
from ..mixins import PermissionMixin
from ..models import Invitation, OutboxMessage
from ..pagination import paginate
from ..permissions import Perm
from ..selectors.accounts import INVITATION_ROW_FIELDS
from .common import query_param
from .rows import row_url

# The colour of each status's badge on the mail pages (another status: grey).
STATUS_BADGE = {"sent": "success", "failed": "danger", "retrying": "warning", "cancelled": "dark"}


class MailOutboxView(PermissionMixin, TemplateView):
    """Every message of the scope, filtered by status and by "accounts only". Each row is
    prepared here as the text it shows, so the template only places it."""

    permission = Perm.MAIL_MANAGE
    template_name = "programmes/mail_outbox.html"

    def get_context_data(self, **kwargs):
        status = query_param(self.request, "status")
        if status not in OutboxMessage.Status.values:
            status = ""
        accounts = query_param(self.request, "about") == "accounts"
        ids = selectors.outbox_ids_for(
            user=self.request.user, status=status, without_programme=accounts
        )
        page = paginate(self.request, ids)
        page.object_list = self.rows(selectors.outbox_rows_for(page.object_list))
        return super().get_context_data(
            page=page,
            rows_html=self.rows_html(page.object_list, request=self.request),
            statuses=OutboxMessage.Status.choices,
            selected_status=status,
            accounts=accounts,
            **kwargs,
        )

    @staticmethod
    def rows(messages_) -> list[dict]:
        """What a row shows: the times in words, where the mail belongs (its programme, or
        "Account"), the status badge, why it failed in words, and the "send again" link of a
        failed message."""
        when = datetime_formatter("j N H:i")
        labels = dict(OutboxMessage.Status.choices)
        retry_url = row_url("mail_retry", "message_pk")
        account = _("Account")
        rows = []
        for m in messages_:
            status = m["status"]
            rows.append(
                {
                    "when": when(m["created_at"]),
                    "organisation": m["organisation__name"],
                    "about": m["programme__name"] if m["programme_id"] else account,
                    "to": m["to_name"] or m["to_email"],
                    "to_email": m["to_email"],
                    "subject": m["subject"],
                    "badge": STATUS_BADGE.get(status, "secondary"),
                    "status": labels.get(status, status),
                    "sent": when(m["sent_at"]),
                    "error": mail_error_text(m["last_error"])
                    if m["last_error"] and status != "sent"
                    else "",
                    "retry_url": retry_url(m["pk"]) if status == "failed" else "",
                }
            )
        return rows

    @staticmethod
    def rows_html(rows, *, request) -> SafeString:
        """The table rows of `rows` as HTML, written here rather than as a template loop (at
        50 rows the template engine's cost per variable and tag was half the page): the
        markup the template had, every value escaped as autoescape does."""
        form_tail = ""
        if any(row["retry_url"] for row in rows):
            form_tail = (
                f'{csrf_input(request)}<input type="hidden" name="next" '
                f'value="{escape(request.get_full_path())}"><button class="btn btn-sm '
                f'btn-outline-secondary" type="submit">{escape(_("Send again"))}'
                '<span class="visually-hidden"> '
            )
        muted = '<div class="small text-body-secondary">'
        out = []
        for row in rows:
            sent = f"{muted}{escape(row['sent'])}</div>" if row["sent"] else ""
            error = row["error"] and f'<div class="small text-danger">{escape(row["error"])}</div>'
            form = (
                f'<form method="post" action="{escape(row["retry_url"])}">{form_tail}'
                f"{escape(row['to_email'])}</span></button></form>"
                if row["retry_url"]
                else ""
            )
            out.append(
                f'<tr><td class="text-nowrap">{escape(row["when"])}</td>'
                f"<td>{escape(row['organisation'])}{muted}{escape(str(row['about']))}</div></td>"
                f'<td class="text-break">{escape(row["to"])}{muted}{escape(row["to_email"])}'
                f"</div></td><td>{escape(row['subject'])}</td>"
                f'<td><span class="badge text-bg-{escape(row["badge"])}">'
                f"{escape(str(row['status']))}</span>{sent}{error}</td><td>{form}</td></tr>"
            )
        return mark_safe("\n".join(out))  # noqa: S308 - every value is escaped above


class MailRetryView(PermissionMixin, View):
    """Send a failed message again, through the outbox like the first time."""

    method_permissions = {"POST": Perm.MAIL_MANAGE}
    http_method_names = ["post"]

    def post(self, request, message_pk: int):
        message = selectors.get_outbox_message_for(user=request.user, pk=message_pk)
        if message.status == OutboxMessage.Status.FAILED:
            services.outbox_retry(message=message)
            messages.success(
                request,
                _("The message to %(email)s will be sent again.") % {"email": message.to_email},
            )
        else:
            messages.info(request, _("This message is not waiting to be sent again."))
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(target)
        return redirect("mail_outbox")


# Open invitations shown at a time above a list of accounts.
INVITATIONS_PER_PAGE = 10


def invitation_page(request, rows) -> Page:
    """The page (`?invitations=`) of open invitation rows (`unaccepted_invitation_rows`), each
    an invitation with `organisation_name` and `failed_mail` (`with_failed_mail`)."""
    page = paginate(request, rows, per_page=INVITATIONS_PER_PAGE, param="invitations")
    using = Invitation.objects.db
    invitations = []
    for row in page.object_list:
        invitation = Invitation.from_db(
            using, INVITATION_ROW_FIELDS, [row[f] for f in INVITATION_ROW_FIELDS]
        )
        invitation.organisation_name = row["organisation__name"]
        invitations.append(invitation)
    page.object_list = with_failed_mail(invitations)
    return page


def with_failed_mail(invitations) -> list:
    """The invitations as a list, each with `failed_mail`: its latest invitation mail when
    that failed (None otherwise), for the badge and the "send again" button."""
    invitations = list(invitations)
    failed = selectors.failed_invitation_mail(invitations=invitations)
    for invitation in invitations:
        invitation.failed_mail = failed.get(invitation.pk)
    return invitations

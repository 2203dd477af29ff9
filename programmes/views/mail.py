"""The consultancy's mail: every message of the consultancy and its clients, failed ones first
to act on. Mail that belongs to no programme (account invitations, login codes, password
resets) is only visible here; a failed one can be sent again."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from .. import selectors, services
from ..mixins import PermissionMixin
from ..models import OutboxMessage
from ..permissions import Perm
from .common import query_param


class MailOutboxView(PermissionMixin, TemplateView):
    permission = Perm.MAIL_MANAGE
    template_name = "programmes/mail_outbox.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        status = query_param(self.request, "status")
        if status not in OutboxMessage.Status.values:
            status = ""
        accounts = query_param(self.request, "about") == "accounts"
        messages_qs = selectors.outbox_for(
            user=self.request.user, status=status, without_programme=accounts
        )
        page = Paginator(messages_qs, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            page=page,
            statuses=OutboxMessage.Status.choices,
            selected_status=status,
            accounts=accounts,
            query=query.urlencode(),
            **kwargs,
        )


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


def with_failed_mail(invitations) -> list:
    """The invitations as a list, each with `failed_mail`: its latest invitation mail when
    that failed (None otherwise), for the badge and the "send again" button."""
    invitations = list(invitations)
    failed = selectors.failed_invitation_mail(invitations=invitations)
    for invitation in invitations:
        invitation.failed_mail = failed.get(invitation.pk)
    return invitations

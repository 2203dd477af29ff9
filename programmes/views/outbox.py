"""A programme's mail: every message sent for it, and sending a failed one again."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from .. import selectors, services
from ..mixins import ProgrammeMixin
from ..permissions import Perm


class OutboxView(ProgrammeMixin, TemplateView):
    """Every message sent for the programme: to whom, what, when, status."""

    template_name = "programmes/outbox.html"

    def get_context_data(self, **kwargs):
        messages_qs = selectors.outbox_for_programme(programme=self.get_programme())
        page = Paginator(messages_qs, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page, can_retry=OutboxRetryView.allows(self.request.user, "POST"), **kwargs
        )


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

"""The public reply page behind an invitee's personal link: yes, no, and how many guests."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views import View

from .. import services
from ..forms import MeetingReplyForm
from ..mixins import PublicMixin
from ..models import Invitee
from .common import form_errors_to
from .token_links import TokenLinkMixin


class MeetingReplyView(TokenLinkMixin, PublicMixin, View):
    """The invitee's reply page; the link's token moves into the session at once
    (`TokenLinkMixin`), so it stays out of logs and history."""

    template_name = "programmes/meeting_reply.html"
    link_kind = "meeting"
    clean_url_name = "meeting_reply_continue"

    def token_is_valid(self, token) -> bool:
        return self._invitee(token) is not None

    def no_token(self, request):
        # Opened without the link (another browser, the session ended): ask for the link.
        return self._page(request, None, None)

    def _invitee(self, token):
        invitee = services.invitee_by_token(token=token)
        if invitee is None or invitee.organisation_id != self.request.organisation.pk:
            return None
        return invitee

    def _page(self, request, invitee, form, status=200, saved=False):
        return render(
            request,
            self.template_name if invitee else "programmes/meeting_reply_unknown.html",
            {
                "invitee": invitee,
                "meeting": invitee.meeting if invitee else None,
                "form": form,
                "saved": saved,
                "client": request.organisation,
            },
            status=status,
        )

    def get(self, request, org, token):
        invitee = self._invitee(token)
        if invitee is None:
            return self._page(request, None, None, status=404)
        initial = {"guests": invitee.guests}
        if invitee.status in (Invitee.Status.ACCEPTED, Invitee.Status.WAITLISTED):
            initial["attending"] = "yes"
        elif invitee.status == Invitee.Status.DECLINED:
            initial["attending"] = "no"
        return self._page(request, invitee, MeetingReplyForm(initial=initial))

    def post(self, request, org, token):
        invitee = self._invitee(token)
        if invitee is None:
            return self._page(request, None, None, status=404)
        form = MeetingReplyForm(request.POST)
        if form.is_valid():
            try:
                invitee = services.meeting_reply(
                    invitee=invitee,
                    attending=form.cleaned_data["attending"],
                    guests=form.cleaned_data["guests"] if form.cleaned_data["attending"] else 0,
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                return self._page(
                    request,
                    invitee,
                    MeetingReplyForm(
                        initial={
                            "attending": "yes"
                            if invitee.status != Invitee.Status.DECLINED
                            else "no",
                            "guests": invitee.guests,
                        }
                    ),
                    saved=True,
                )
        return self._page(request, invitee, form)

"""The member decides in the app what the client's staff see of them: by default their first
name only; with their consent also their full name and e-mail address
(`programmes.services.sharing`)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from programmes.mixins import PermissionMixin
from programmes.permissions import Perm
from programmes.services.sharing import member_contact_share

from .views import _MembershipMixin


class ContactSharingView(_MembershipMixin, PermissionMixin, TemplateView):
    permission = Perm.TEAM_APP_VIEW
    method_permissions = {"POST": Perm.TEAM_APP_VIEW}
    template_name = "patrols/sharing.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            client=self.request.organisation, member=self.member, **kwargs
        )

    def post(self, request, org):
        if self.member is None:
            return redirect("patrols:team_home", org=org)
        share = request.POST.get("share") == "1"
        member_contact_share(actor=request.user, member=self.member, share=share)
        if share:
            messages.success(request, _("The client now sees your name and e-mail address."))
        else:
            messages.success(request, _("The client now sees your first name only."))
        return redirect("patrols:team_sharing", org=org)

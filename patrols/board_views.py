"""The team's notice board in the phone app: the project leader's messages to the whole team
or to this member, newest first; opening it marks them read."""

from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from programmes.mixins import PermissionMixin
from programmes.pagination import paginate
from programmes.permissions import Perm
from programmes.selectors.board import board_for_member
from programmes.services.board import team_messages_read

from .views import _MembershipMixin


class TeamBoardView(_MembershipMixin, PermissionMixin, TemplateView):
    permission = Perm.OWN_RECORDS_VIEW  # team members alone (the role table)
    template_name = "patrols/board.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        if self.member is None:
            raise PermissionDenied  # the board is the team's
        programme = self.member.programme
        page = paginate(
            self.request,
            board_for_member(user=self.request.user, programme=programme),
            per_page=self.paginate_by,
        )
        team_messages_read(user=self.request.user, messages=page.object_list)
        return super().get_context_data(
            client=self.request.organisation, programme=programme, page=page, **kwargs
        )

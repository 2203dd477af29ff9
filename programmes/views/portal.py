"""The client portal's programme page: calm, summary first, only the client's own work."""

from django.views.generic import TemplateView

from .. import selectors
from ..mixins import ProgrammeMixin
from ..models import Document
from ..permissions import Perm


class PortalProgrammeView(ProgrammeMixin, TemplateView):
    permission = Perm.PORTAL_VIEW
    template_name = "programmes/portal_programme.html"

    def get_context_data(self, **kwargs):
        programme = self.get_programme()
        milestones = list(programme.milestones.all())
        return super().get_context_data(
            status=selectors.programme_status(programme, milestones),
            milestones=milestones,
            goals=programme.goals.all(),
            partners=programme.partners.all(),
            meetings=selectors.meetings_for_programme(programme=programme, upcoming_only=True),
            latest_document=programme.documents.filter(kind=Document.Kind.PLAN).first(),
            **kwargs,
        )

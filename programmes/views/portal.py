"""The client portal: its home and a programme's page. Calm, summary first, only the client's
own work."""

from django.views.generic import TemplateView

from .. import registry, selectors
from ..mixins import ClientMixin, PermissionMixin, ProgrammeMixin
from ..permissions import Perm
from ..selectors.guidance import closed_programme_ids


class PortalHomeView(ClientMixin, PermissionMixin, TemplateView):
    """The client portal: calm, summary first, only the client's own organisation."""

    permission = Perm.PORTAL_VIEW
    template_name = "programmes/portal_home.html"

    def get_context_data(self, **kwargs):
        client = self.get_client()
        programmes = selectors.client_programmes_for(user=self.request.user, client=client)
        overview = selectors.programme_overview(programmes)
        closed = closed_programme_ids(programme_ids=[p.pk for p in programmes])
        for p in programmes:
            p._closed = p.pk in closed  # read by `programme_closed` on the page: no query each
        return super().get_context_data(
            client=client,
            # What waits for the client first: each app registers its own cards.
            cards=registry.portal_cards(user=self.request.user, organisation=client),
            rows=[(p, overview[p.pk]) for p in programmes],
            colleagues=selectors.colleagues_for(user=self.request.user, organisation=client),
            **kwargs,
        )


class PortalProgrammeView(ProgrammeMixin, TemplateView):
    permission = Perm.PORTAL_VIEW
    template_name = "programmes/portal_programme.html"

    def get_context_data(self, **kwargs):
        programme = self.get_programme()
        milestones = selectors.milestones_of(programme=programme)
        return super().get_context_data(
            status=selectors.programme_status(programme, milestones),
            milestones=milestones,
            goals=selectors.goals_of(programme=programme),
            partners=selectors.partners_of(programme=programme),
            meetings=selectors.meetings_for_programme(programme=programme, upcoming_only=True),
            latest_document=selectors.latest_plan_document(programme=programme),
            **kwargs,
        )

"""The project leader's view of a programme's hand-off: delivered, failing and waiting per
channel of the client, and the signals open past their handling time (a programme tab)."""

from django.views.generic import TemplateView

from programmes.mixins import ProgrammeMixin

from ..selectors.handoff_health import OVERDUE_SHOWN, handoff_health


class HandoffHealthView(ProgrammeMixin, TemplateView):
    template_name = "patrols/workspace_handoff.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            health=handoff_health(programme=self.get_programme()),
            overdue_shown=OVERDUE_SHOWN,
            **kwargs,
        )

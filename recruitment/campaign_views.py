"""The recruitment campaign: channels and the door-to-door round (used on a phone)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from programmes.mixins import ProgrammeMixin
from programmes.permissions import Perm
from programmes.views.common import form_errors_to

from . import selectors, services
from .forms import ChannelForm, DoorVisitForm
from .paging import paginate_counted


class CampaignView(ProgrammeMixin, TemplateView):
    template_name = "recruitment/campaign.html"
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_context_data(self, channel_form=None, door_form=None, **kwargs):
        programme = self.get_programme()
        channels = list(selectors.channels_of(programme=programme))  # listed and counted
        return super().get_context_data(
            channels=channels,
            figures=selectors.channel_figures_for(programme=programme, channels=channels),
            channel_form=channel_form or ChannelForm(),
            door_form=door_form
            or DoorVisitForm(initial={"street": self.request.GET.get("street", "")[:200]}),
            # The streets of the page and their number in one query.
            coverage=paginate_counted(self.request, selectors.door_coverage(programme=programme)),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        if "channel" in request.POST:
            form = ChannelForm(request.POST)
            if form.is_valid():
                try:
                    services.channel_add(
                        actor=request.user, programme=programme, **form.cleaned_data
                    )
                except ValidationError as error:
                    form_errors_to(form, error)
                else:
                    messages.success(request, _("The channel was added."))
                    return redirect(request.path)
            return self.render_to_response(self.get_context_data(channel_form=form))
        form = DoorVisitForm(request.POST)
        if form.is_valid():
            visit = services.door_visit_log(
                actor=request.user, programme=programme, **form.cleaned_data
            )
            messages.success(
                request,
                _("%(street)s %(number)s noted.")
                % {"street": visit.street, "number": visit.house_number},
            )
            # Back to the form with the street kept: the next door is usually in the same street.
            return redirect(f"{request.path}?street={visit.street}#doors")
        return self.render_to_response(self.get_context_data(door_form=form))

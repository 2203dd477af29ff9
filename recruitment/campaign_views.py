"""The recruitment campaign: channels and the door-to-door round (used on a phone)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from programmes.mixins import ProgrammeMixin
from programmes.permissions import Perm
from programmes.statements import id_mark
from programmes.views.common import form_errors_to

from . import campaign_rows, selectors, services
from .field_html import fields_html, form_errors_html
from .forms import ChannelForm, DoorVisitForm
from .paging import paginate_compiled


class CampaignView(ProgrammeMixin, TemplateView):
    template_name = "recruitment/campaign.html"
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_context_data(self, channel_form=None, door_form=None, **kwargs):
        programme = self.get_programme()
        channels = selectors.channels_listed(programme=programme)  # listed and counted
        figures = selectors.channel_figures_for(programme=programme, channels=channels)
        channel_form = channel_form or ChannelForm()
        door_form = door_form or DoorVisitForm(
            initial={"street": self.request.GET.get("street", "")[:200]}
        )
        # The streets of the page and their number in one statement, compiled once.
        coverage = paginate_compiled(
            self.request,
            "recruitment.door_coverage",
            selectors.door_coverage_rows,
            {id_mark(0): programme.pk},
            names=selectors.COVERAGE_COLUMNS,
        )
        # The lists and the forms' fields are written in Python (campaign_rows, field_html):
        # as template loops and includes they were most of the page's time.
        return super().get_context_data(
            channels=channels,
            channels_html=campaign_rows.channels_html(channels),
            figures=figures,
            figures_html=campaign_rows.figures_html(figures["rows"]),
            channel_form=channel_form,
            channel_fields=fields_html(channel_form),
            channel_errors=form_errors_html(channel_form),
            door_form=door_form,
            door_fields=fields_html(door_form),
            door_errors=form_errors_html(door_form),
            coverage=coverage,
            coverage_html=campaign_rows.coverage_html(coverage.object_list),
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

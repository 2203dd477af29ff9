"""Team meetings as a series, a meeting's agenda, notes and agreements, the member's answer
from the phone and the client's view of the meetings of its programmes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import registry
from ..meeting_forms import AgendaForm, AgreementForm, NotesForm, SeriesForm
from ..mixins import ClientMixin, PermissionMixin, ProgrammeMixin
from ..pagination import paginate
from ..permissions import Perm
from ..selectors import meeting_series as series_selectors
from ..services import meeting_series as series_services
from ..services.meetings import meeting_reply
from .common import form_errors_to
from .meetings import MeetingMixin, _to_meeting, invited_reply


class SeriesCreateView(ProgrammeMixin, FormView):
    """Plan a series of team meetings: monthly on a weekday, or every few weeks."""

    permission = Perm.PROGRAMME_MANAGE
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    template_name = "programmes/series_form.html"
    form_class = SeriesForm

    def form_valid(self, form):
        programme = self.get_programme()
        try:
            series = series_services.series_create(
                actor=self.request.user, programme=programme, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_to(form, error)
            return self.form_invalid(form)
        n = series.meetings.count()
        messages.success(
            self.request,
            ngettext(
                "The series was planned with %(n)s meeting. Now invite everyone.",
                "The series was planned with %(n)s meetings. Now invite everyone.",
                n,
            )
            % {"n": n},
        )
        return redirect(
            "meeting_series_detail",
            org=programme.organisation.slug,
            programme_pk=programme.pk,
            series_pk=series.pk,
        )


class SeriesDetailView(ProgrammeMixin, TemplateView):
    """A series' meetings (paginated) with their replies and attendance; invite everyone."""

    template_name = "programmes/series_detail.html"
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_series(self):
        if not hasattr(self, "_series"):
            self._series = series_selectors.get_series_for(
                programme=self.get_programme(), pk=self.kwargs["series_pk"]
            )
        return self._series

    def get_context_data(self, **kwargs):
        series = self.get_series()
        page = paginate(self.request, series_selectors.meetings_of_series(series=series))
        from ..models import BulkJob  # noqa: PLC0415 - one read, kept next to its use

        job = (
            BulkJob.objects.filter(
                programme_id=series.programme_id,
                kind=series_services.SERIES_INVITE,
                payload__series=series.pk,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        return super().get_context_data(
            series=series,
            page=page,
            meetings=page.object_list,
            invite_job=job,
            people=len(series_services.series_people(series=series)),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Invite everyone: the scheduled team, the client's contacts and the partners."""
        series = self.get_series()
        try:
            result = series_services.series_invite_everyone(actor=request.user, series=series)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        return invited_reply(request, result)


class MeetingAgendaView(MeetingMixin, View):
    """Save the meeting's agenda."""

    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        form = AgendaForm(request.POST)
        if form.is_valid():
            series_services.meeting_agenda_save(
                actor=request.user, meeting=meeting, agenda=form.cleaned_data["agenda"]
            )
            messages.success(request, _("The agenda was saved."))
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _to_meeting(meeting)


class MeetingNotesView(MeetingMixin, View):
    """Save the meeting's notes; open agreements move on to the next meeting."""

    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        form = NotesForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return _to_meeting(meeting)
        carried = series_services.meeting_notes_save(
            actor=request.user, meeting=meeting, notes=form.cleaned_data["notes"]
        )
        text = _("The notes were saved.")
        if carried:
            text += " " + ngettext(
                "%(n)s open agreement goes on to the next meeting.",
                "%(n)s open agreements go on to the next meeting.",
                carried,
            ) % {"n": carried}
        messages.success(request, text)
        return _to_meeting(meeting)


class AgreementCreateView(MeetingMixin, View):
    """Record an agreement made at the meeting."""

    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        form = AgreementForm(request.POST)
        if form.is_valid():
            try:
                series_services.agreement_add(
                    actor=request.user, meeting=meeting, **form.cleaned_data
                )
            except ValidationError as error:
                form_errors_to(form, error)
        if form.errors:
            # The page shows the form again with what was typed and why it was refused.
            from .meetings import MeetingDetailView  # noqa: PLC0415 - sibling view, no cycle

            view = MeetingDetailView(request=request, args=args, kwargs=kwargs)
            view.setup(request, *args, **kwargs)
            return view.render_to_response(view.get_context_data(agreement_form=form))
        messages.success(request, _("The agreement was recorded."))
        return _to_meeting(meeting)


class AgreementStatusView(MeetingMixin, View):
    """Tick an agreement off as done, or open it again."""

    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        agreement = series_selectors.get_agreement_for(meeting=meeting, pk=kwargs["agreement_pk"])
        done = request.POST.get("done") == "1"
        series_services.agreement_set_done(actor=request.user, agreement=agreement, done=done)
        return _to_meeting(meeting)


class TeamMeetingAnswerView(ClientMixin, PermissionMixin, View):
    """A team member answers a team meeting from the phone app: coming or not coming. Only
    their own invitation (another's is a 404)."""

    permission = Perm.OWN_RECORDS_VIEW
    method_permissions = {"POST": Perm.OWN_RECORDS_VIEW}
    http_method_names = ["post"]

    def post(self, request, org, invitee_pk):
        client = self.get_client()
        invitee = series_services.invitee_of_user(user=request.user, pk=invitee_pk)
        if invitee is None or invitee.organisation_id != client.pk:
            raise Http404
        attending = request.POST.get("attending") == "yes"
        try:
            meeting_reply(invitee=invitee, attending=attending)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Thank you: you are coming.")
                if attending
                else _("Thank you: you are not coming."),
            )
        home = registry.team_home()
        return redirect(reverse(home.url_name, kwargs={"org": client.slug}) if home else "home")


class PortalMeetingsView(ProgrammeMixin, TemplateView):
    """The client's view of a programme's meetings: the ones to come with their agenda, and
    the ones held with their notes and agreements (paginated), and the open agreements."""

    permission = Perm.PORTAL_VIEW
    template_name = "programmes/portal_meetings.html"

    def get_context_data(self, **kwargs):
        programme = self.get_programme()
        show = self.request.GET.get("show", "")
        show = show if show in ("held", "agreements") else "upcoming"
        if show == "agreements":
            rows = series_selectors.open_agreements(programme=programme)
        else:
            rows = series_selectors.client_meetings(programme=programme, past=show == "held")
        page = paginate(self.request, rows, per_page=20)
        return super().get_context_data(show=show, page=page, rows=page.object_list, **kwargs)

"""A programme's meetings: create and edit, invite people, register attendance."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import selectors, services
from ..forms import InviteeForm, InviteManyForm, MeetingForm
from ..meeting_forms import AgendaForm, AgreementForm, NotesForm
from ..mixins import ProgrammeMixin
from ..pagination import paginate
from ..permissions import Perm
from ..selectors import meeting_series as series_selectors
from ..selectors.bulk import bulk_job_latest_for_meeting
from ..services.meeting_series import next_meeting
from .common import form_errors_to


class _Page:
    """The page of invitees an attendance form was posted from, as the invitee row asks for it
    (`number`): a page number of six digits at most, else the first page."""

    def __init__(self, request):
        posted = request.POST.get("page", "")
        ok = posted.isascii() and posted.isdigit() and len(posted) < 7 and int(posted) > 0
        self.number = int(posted) if ok else 1


def _to_meeting(meeting):
    """Redirect to the meeting's own page."""
    return redirect(
        "meeting_detail",
        org=meeting.organisation.slug,
        programme_pk=meeting.programme_id,
        meeting_pk=meeting.pk,
    )


class MeetingCreateView(ProgrammeMixin, FormView):
    permission = Perm.PROGRAMME_MANAGE
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    template_name = "programmes/meeting_form.html"
    form_class = MeetingForm

    def form_valid(self, form):
        programme = self.get_programme()
        try:
            meeting = services.meeting_create(
                actor=self.request.user,
                programme=programme,
                **{k: v for k, v in form.cleaned_data.items() if k != "confirm_past"},
            )
        except ValidationError as error:
            form_errors_to(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The meeting was created. Now invite people."))
        return _to_meeting(meeting)


class MeetingMixin(ProgrammeMixin):
    def get_meeting(self):
        if not hasattr(self, "_meeting"):
            self._meeting = selectors.get_meeting_for(
                programme=self.get_programme(), pk=self.kwargs["meeting_pk"]
            )
        return self._meeting


class MeetingUpdateView(MeetingMixin, FormView):
    permission = Perm.PROGRAMME_MANAGE
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    template_name = "programmes/meeting_form.html"
    form_class = MeetingForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_meeting()}

    def form_valid(self, form):
        meeting = self.get_meeting()
        try:
            meeting.refresh_from_db()
            services.meeting_update(
                actor=self.request.user,
                meeting=meeting,
                **{k: form.cleaned_data[k] for k in form.changed_data if k != "confirm_past"},
            )
        except ValidationError as error:
            form_errors_to(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The changes were saved."))
        return _to_meeting(meeting)


class MeetingDetailView(MeetingMixin, TemplateView):
    """Who is invited, who comes, the waiting list and attendance on the day."""

    template_name = "programmes/meeting_detail.html"
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_context_data(self, form=None, many_form=None, agreement_form=None, **kwargs):
        meeting = self.get_meeting()
        # A page of invitees (a meeting may have a thousand); the seats and the waiting list
        # counted by the database.
        invitees = paginate(self.request, selectors.invitees_in_order(meeting=meeting))
        counts = selectors.invitee_counts(meeting=meeting)
        kwargs = {
            "agenda_form": AgendaForm(initial={"agenda": meeting.agenda}),
            "notes_form": NotesForm(initial={"notes": meeting.notes}),
            "agreement_form": agreement_form or AgreementForm(),
            "agreements_made": series_selectors.agreements_made_at(meeting=meeting),
            "agreements_followed": series_selectors.agreements_followed_up_at(meeting=meeting),
            "next_meeting": next_meeting(meeting),
            **kwargs,
        }
        return super().get_context_data(
            meeting=meeting,
            invitees=invitees,
            page=invitees,
            taken=counts["taken"],
            waiting=counts["waiting"],
            form=form or InviteeForm(),
            many_form=many_form or InviteManyForm(),
            invite_job=bulk_job_latest_for_meeting(meeting=meeting),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Invite one person, or many at once (a list of addresses)."""
        if f"{InviteManyForm.prefix}-people" in request.POST:
            return self.invite_many(request)
        form = InviteeForm(request.POST)
        if form.is_valid():
            try:
                invitee = services.invitee_add(
                    actor=request.user,
                    meeting=self.get_meeting(),
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    language=form.cleaned_data.get("language") or "nl",
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is invited; the e-mail will be sent shortly.")
                    % {"name": invitee.name},
                )
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))

    def invite_many(self, request):
        """Invite a list of people: a few at once, many by a bulk job whose progress the page
        shows (the request only stores the job)."""
        form = InviteManyForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(many_form=form))
        language = form.cleaned_data.get("language") or "nl"
        result = services.meeting_invite_many(
            actor=request.user,
            meeting=self.get_meeting(),
            people=[(name, email, language) for name, email in form.cleaned_data["people"]],
        )
        return invited_reply(request, result)


def invited_reply(request, result):
    """Back to the page with what an invitation of many did: how many were invited at once,
    or that a background job sends them (its progress shows on the page)."""
    if isinstance(result, int):
        messages.success(
            request,
            ngettext(
                "%(n)s person was invited; the e-mail will be sent shortly.",
                "%(n)s people were invited; the e-mails will be sent shortly.",
                result,
            )
            % {"n": result},
        )
    else:
        messages.info(
            request, _("The invitations are being sent; the progress shows on this page.")
        )
    return redirect(request.path)


class AttendanceView(MeetingMixin, View):
    """Register on the day who came; answers htmx with the updated row."""

    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        invitee = selectors.get_invitee_for(meeting=meeting, pk=kwargs["invitee_pk"])
        value = {"1": True, "0": False}.get(request.POST.get("attended", ""))
        services.invitee_set_attended(actor=request.user, invitee=invitee, attended=value)
        if request.headers.get("HX-Request"):
            return render(
                request,
                "programmes/includes/invitee_row.html",
                {
                    "i": invitee,
                    "meeting": meeting,
                    "programme": meeting.programme,
                    "client": meeting.organisation,
                    "can_manage": True,
                    "page": _Page(request),
                },
            )
        # Without JavaScript: back to the page of invitees the form was on.
        response = _to_meeting(meeting)
        page = _Page(request).number
        if page > 1:
            response["Location"] += f"?page={page}"
        return response

"""Programme pages of the consultancy's workspace: overview, intake, plan, meetings, outbox."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import selectors, services
from ..forms import (
    GoalFormSet,
    IntakeForm,
    InviteeForm,
    MeetingForm,
    MilestoneForm,
    PartnerFormSet,
    ProgrammeForm,
    TemplateMilestoneFormSet,
)
from ..mixins import ClientMixin, PermissionMixin, ProgrammeMixin
from ..models import Document, Invitee, Phase, Progress, TemplateMilestone
from ..permissions import Perm, has_perm
from .common import client_admins_for, form_errors_to, query_param


class ProgrammeClientChooseView(PermissionMixin, TemplateView):
    """ "New programme" from the workspace: first choose the client it is for. Whoever may not
    add a client is told who can, instead of meeting a missing button."""

    permission = Perm.PROGRAMME_MANAGE
    template_name = "programmes/programme_choose_client.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        q = query_param(self.request, "q")
        clients = selectors.clients_for(user=user).order_by("name")
        if q:
            clients = clients.filter(name__icontains=q)
        page = Paginator(clients, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page, q=q, client_admins=client_admins_for(user), **kwargs
        )


class ProgrammeCreateView(ClientMixin, PermissionMixin, FormView):
    permission = Perm.PROGRAMME_MANAGE
    template_name = "programmes/programme_form.html"
    form_class = ProgrammeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "client": self.get_client()}

    def get_initial(self):
        return {"project_leaders": [self.request.user], "municipality": self.get_client().city}

    def get_context_data(self, **kwargs):
        return super().get_context_data(client=self.get_client(), **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            programme = services.programme_create(
                actor=self.request.user,
                client=self.get_client(),
                project_leaders=list(data.pop("project_leaders")),
                client_contacts=list(data.pop("client_contacts")),
                **data,
            )
        except ValidationError as error:
            form_errors_to(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The programme was created. Start with the intake."))
        return redirect(
            "programme_intake", org=programme.organisation.slug, programme_pk=programme.pk
        )


class ProgrammeUpdateView(ProgrammeMixin, FormView):
    permission = Perm.PROGRAMME_MANAGE
    template_name = "programmes/programme_form.html"
    form_class = ProgrammeForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "client": self.get_client(),
            "instance": self.get_programme(),
        }

    def form_valid(self, form):
        programme = self.get_programme()
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        leaders = data.pop("project_leaders", None)
        contacts = data.pop("client_contacts", None)
        try:
            programme.refresh_from_db()
            services.programme_update(
                actor=self.request.user,
                programme=programme,
                project_leaders=list(leaders) if leaders is not None else None,
                client_contacts=list(contacts) if contacts is not None else None,
                **data,
            )
        except ValidationError as error:
            form_errors_to(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The changes were saved."))
        return self.redirect_to("programme_detail")


class ProgrammeDetailView(ProgrammeMixin, TemplateView):
    template_name = "programmes/programme_detail.html"

    def get_context_data(self, **kwargs):
        programme = self.get_programme()
        milestones = list(programme.milestones.select_related("owner"))
        return super().get_context_data(
            status=selectors.programme_status(programme, milestones),
            upcoming=[m for m in milestones if not m.done_at][:5],
            meetings=selectors.meetings_for_programme(programme=programme, upcoming_only=True),
            goals=programme.goals.all(),
            partners=programme.partners.all(),
            leaders=programme.project_leaders.all(),
            contacts=programme.client_contacts.all(),
            latest_document=programme.documents.filter(kind=Document.Kind.PLAN).first(),
            **kwargs,
        )


class ProgrammeIntakeView(ProgrammeMixin, TemplateView):
    """The intake: every saved goal and partner is a row of its form set carrying its id, so
    saving the page posts them all back and nothing is dropped. "Complete the intake" saves
    what is on the page and marks it complete in one go."""

    permission = Perm.PROGRAMME_MANAGE
    template_name = "programmes/programme_intake.html"

    def _forms(self, data=None):
        programme = self.get_programme()
        form = IntakeForm(
            data,
            initial={"vision": programme.vision, "starting_points": programme.starting_points},
        )
        goals = GoalFormSet(
            data,
            prefix="goals",
            initial=[
                {"id": g.pk, "description": g.description, "measure": g.measure}
                for g in programme.goals.all()
            ],
        )
        partners = PartnerFormSet(
            data,
            prefix="partners",
            initial=[
                {
                    "id": p.pk,
                    "name": p.name,
                    "partner_organisation": p.partner_organisation,
                    "role": p.role,
                    "email": p.email,
                    "phone": p.phone,
                }
                for p in programme.partners.all()
            ],
        )
        return form, goals, partners

    @staticmethod
    def _rows(formset) -> list[dict]:
        """The rows to keep: every filled-in row not ticked for deletion. Unchanged rows count
        too (filtering on `has_changed()` here once dropped every row saved before)."""
        rows = []
        for f in formset.forms:
            cleaned = getattr(f, "cleaned_data", None) or {}
            data = {k: v for k, v in cleaned.items() if k != "DELETE"}
            if cleaned.get("DELETE") or not any(v for k, v in data.items() if k != "id"):
                continue
            if not data.get("id"):
                data.pop("id", None)
            rows.append(data)
        return rows

    def get_context_data(self, **kwargs):
        programme = self.get_programme()
        return super().get_context_data(
            intake_milestone=programme.milestones.filter(key=Progress.INTAKE_COMPLETED).first(),
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        form, goals, partners = self._forms()
        return self.render_to_response(
            self.get_context_data(form=form, goals=goals, partners=partners)
        )

    def post(self, request, *args, **kwargs):
        form, goals, partners = self._forms(request.POST)
        programme = self.get_programme()
        if form.is_valid() and goals.is_valid() and partners.is_valid():
            try:
                services.programme_intake_save(
                    actor=request.user,
                    programme=programme,
                    vision=form.cleaned_data["vision"],
                    starting_points=form.cleaned_data["starting_points"],
                    goals=self._rows(goals),
                    partners=self._rows(partners),
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                if not form.cleaned_data["complete"]:
                    messages.success(request, _("The intake was saved."))
                    return self.redirect_to("programme_detail")
                try:
                    services.programme_intake_complete(actor=request.user, programme=programme)
                except ValidationError as error:
                    messages.error(
                        request,
                        _("The intake was saved, but not completed: %(reason)s")
                        % {"reason": " ".join(error.messages)},
                    )
                    return self.redirect_to("programme_intake")
                messages.success(request, _("The intake was saved and completed."))
                return self.redirect_to("programme_detail")
        return self.render_to_response(
            self.get_context_data(form=form, goals=goals, partners=partners), status=200
        )


class PlanView(ProgrammeMixin, TemplateView):
    """The plan of approach as a timeline by phase, with a form to add a milestone."""

    template_name = "programmes/plan.html"

    def get_context_data(self, form=None, **kwargs):
        programme = self.get_programme()
        milestones = list(programme.milestones.select_related("owner"))
        by_phase = [
            (value, label, [m for m in milestones if m.phase == value])
            for value, label in Phase.choices
        ]
        return super().get_context_data(
            by_phase=by_phase,
            status=selectors.programme_status(programme, milestones),
            has_plan=bool(milestones),
            form=form or MilestoneForm(programme=programme),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Add a milestone."""
        if not has_perm(request.user, Perm.PROGRAMME_MANAGE):
            raise PermissionDenied
        programme = self.get_programme()
        form = MilestoneForm(request.POST, programme=programme)
        if form.is_valid():
            try:
                services.milestone_create(
                    actor=request.user, programme=programme, **form.cleaned_data
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The milestone was added."))
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


class PlanGenerateView(ProgrammeMixin, View):
    permission = Perm.PROGRAMME_MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        try:
            services.plan_generate(
                actor=request.user, programme=programme, replace=request.POST.get("replace") == "1"
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The plan was made from the template."))
        return self.redirect_to("programme_plan")


class MilestoneUpdateView(ProgrammeMixin, FormView):
    permission = Perm.PROGRAMME_MANAGE
    template_name = "programmes/milestone_form.html"
    form_class = MilestoneForm

    def get_milestone(self):
        return selectors.get_milestone_for(
            programme=self.get_programme(), pk=self.kwargs["milestone_pk"]
        )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "programme": self.get_programme(),
            "instance": self.get_milestone(),
        }

    def form_valid(self, form):
        milestone = self.get_milestone()
        try:
            services.milestone_update(
                actor=self.request.user,
                milestone=milestone,
                **{k: form.cleaned_data[k] for k in form.changed_data},
            )
        except ValidationError as error:
            form_errors_to(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The milestone was saved."))
        return self.redirect_to("programme_plan")


class MilestoneDoneView(ProgrammeMixin, View):
    """Tick a milestone off (or open it again); answers htmx with the updated row."""

    permission = Perm.PROGRAMME_MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        milestone = selectors.get_milestone_for(programme=programme, pk=kwargs["milestone_pk"])
        services.milestone_set_done(
            actor=request.user, milestone=milestone, done=request.POST.get("done") == "1"
        )
        if request.headers.get("HX-Request"):
            # The row, and out of band the phase and progress bar above the plan.
            context = {
                "m": milestone,
                "programme": programme,
                "client": programme.organisation,
                "can_manage": True,
                "status": selectors.programme_status(programme),
                "oob": True,
            }
            row = render_to_string("programmes/includes/milestone_row.html", context, request)
            status = render_to_string("programmes/includes/plan_status.html", context, request)
            return HttpResponse(row + status)
        return self.redirect_to("programme_plan")


class MilestoneDeleteView(ProgrammeMixin, View):
    permission = Perm.PROGRAMME_MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        milestone = selectors.get_milestone_for(programme=programme, pk=kwargs["milestone_pk"])
        services.milestone_delete(actor=request.user, milestone=milestone)
        messages.success(request, _("The milestone was removed."))
        return self.redirect_to("programme_plan")


class PlanTemplateView(PermissionMixin, TemplateView):
    """The consultancy admin edits the plan template new programmes start from."""

    permission = Perm.PLAN_TEMPLATE_MANAGE
    template_name = "programmes/plan_template.html"

    def _consultancy(self):
        return self.request.user.organisation

    def _formset(self, data=None):
        consultancy = self._consultancy()
        services.plan_template_ensure(consultancy=consultancy)
        rows = TemplateMilestone.objects.filter(organisation=consultancy)
        initial = [
            {"phase": r.phase, "title": r.title, "offset_days": r.offset_days, "key": r.key}
            for r in rows
        ]
        return TemplateMilestoneFormSet(data, prefix="rows", initial=initial)

    def get(self, request, *args, **kwargs):
        with transaction.atomic():
            formset = self._formset()
        return self.render_to_response(self.get_context_data(formset=formset))

    def post(self, request, *args, **kwargs):
        formset = self._formset(request.POST)
        if formset.is_valid():
            rows = [
                {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                services.plan_template_save(
                    actor=request.user, consultancy=self._consultancy(), rows=rows
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The plan template was saved."))
                return redirect("plan_template")
        return self.render_to_response(self.get_context_data(formset=formset))


class MeetingCreateView(ProgrammeMixin, FormView):
    permission = Perm.PROGRAMME_MANAGE
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
        return redirect(
            "meeting_detail",
            org=programme.organisation.slug,
            programme_pk=programme.pk,
            meeting_pk=meeting.pk,
        )


class MeetingMixin(ProgrammeMixin):
    def get_meeting(self):
        if not hasattr(self, "_meeting"):
            self._meeting = selectors.get_meeting_for(
                programme=self.get_programme(), pk=self.kwargs["meeting_pk"]
            )
        return self._meeting


class MeetingUpdateView(MeetingMixin, FormView):
    permission = Perm.PROGRAMME_MANAGE
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
        return redirect(
            "meeting_detail",
            org=meeting.organisation.slug,
            programme_pk=meeting.programme_id,
            meeting_pk=meeting.pk,
        )


class MeetingDetailView(MeetingMixin, TemplateView):
    """Who is invited, who comes, the waiting list and attendance on the day."""

    template_name = "programmes/meeting_detail.html"

    def get_context_data(self, form=None, **kwargs):
        meeting = self.get_meeting()
        invitees = list(meeting.invitees.order_by("status", "waitlisted_at", "name"))
        taken = sum(i.seats for i in invitees if i.status == Invitee.Status.ACCEPTED)
        return super().get_context_data(
            meeting=meeting,
            invitees=invitees,
            taken=taken,
            waiting=[i for i in invitees if i.status == Invitee.Status.WAITLISTED],
            form=form or InviteeForm(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Invite one person."""
        if not has_perm(request.user, Perm.PROGRAMME_MANAGE):
            raise PermissionDenied
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


class AttendanceView(MeetingMixin, View):
    """Register on the day who came; answers htmx with the updated row."""

    permission = Perm.PROGRAMME_MANAGE
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
                },
            )
        return redirect(
            "meeting_detail",
            org=meeting.organisation.slug,
            programme_pk=meeting.programme_id,
            meeting_pk=meeting.pk,
        )


class OutboxView(ProgrammeMixin, TemplateView):
    """Every message sent for the programme: to whom, what, when, status."""

    template_name = "programmes/outbox.html"

    def get_context_data(self, **kwargs):
        messages_qs = selectors.outbox_for_programme(programme=self.get_programme())
        page = Paginator(messages_qs, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, **kwargs)


class OutboxRetryView(ProgrammeMixin, View):
    permission = Perm.PROGRAMME_MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        message = (
            selectors.outbox_for_programme(programme=programme)
            .filter(pk=kwargs["message_pk"])
            .first()
        )
        if message is None:
            raise Http404
        services.outbox_retry(message=message)
        messages.success(request, _("The message will be sent again."))
        return self.redirect_to("programme_outbox")

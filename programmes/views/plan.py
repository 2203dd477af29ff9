"""The plan of approach: the timeline, milestones, making the plan from the template, and the
consultancy's plan template itself."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import selectors, services
from ..forms import MilestoneForm, TemplateMilestoneFormSet
from ..mixins import PermissionMixin, ProgrammeMixin
from ..models import Phase
from ..permissions import Perm
from .common import form_errors_to


class PlanView(ProgrammeMixin, TemplateView):
    """The plan of approach as a timeline by phase, with a form to add a milestone."""

    template_name = "programmes/plan.html"
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_context_data(self, form=None, **kwargs):
        programme = self.get_programme()
        milestones = selectors.milestones_of(programme=programme, with_owner=True)
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
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
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
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
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

    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
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
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
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
    method_permissions = {"POST": Perm.PLAN_TEMPLATE_MANAGE}
    template_name = "programmes/plan_template.html"

    def _consultancy(self):
        return self.request.user.organisation

    def _formset(self, data=None):
        consultancy = self._consultancy()
        services.plan_template_ensure(consultancy=consultancy)
        rows = selectors.plan_template_rows(consultancy=consultancy)
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

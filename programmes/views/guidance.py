"""The guidance over the years: evaluations (workspace and portal), the neighbourhood's action
plan, and closing a programme. Thin: selectors read, services write."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from ..guidance_forms import (
    ActionForm,
    ClientInputForm,
    EvaluationForm,
    EvaluationPlanForm,
    EvaluationScheduleForm,
    ProgrammeCloseForm,
)
from ..mixins import ProgrammeMixin
from ..models import Action, Evaluation, EvaluationStatus
from ..models.guidance import EVALUATION_TRANSITIONS
from ..pagination import paginate
from ..permissions import Perm
from ..selectors import guidance as selectors
from ..services import guidance as guidance_services
from .common import form_errors_to, query_param


class _WorkspaceMixin(ProgrammeMixin):
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_context_data(self, **kwargs):
        return super().get_context_data(closed=self.programme_closed, **kwargs)


class EvaluationListView(_WorkspaceMixin, TemplateView):
    """The programme's evaluations: the schedule with the next date, the list, and a form to
    plan one by hand."""

    template_name = "programmes/evaluations.html"

    def get_context_data(self, form=None, schedule_form=None, **kwargs):
        programme = self.get_programme()
        schedule = selectors.schedule_of(programme=programme)
        return super().get_context_data(
            page=paginate(self.request, selectors.evaluations_of(programme=programme)),
            schedule=schedule,
            schedule_start=selectors.schedule_start(programme=programme, schedule=schedule),
            next_due=selectors.next_due(programme=programme),
            form=form or EvaluationPlanForm(),
            schedule_form=schedule_form or EvaluationScheduleForm(instance=schedule),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Plan an evaluation by hand."""
        programme = self.get_programme()
        form = EvaluationPlanForm(request.POST)
        if form.is_valid():
            try:
                evaluation = guidance_services.evaluation_plan(
                    actor=request.user, programme=programme, **form.cleaned_data
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The evaluation was planned."))
                return self.redirect_to("programme_evaluation", evaluation_pk=evaluation.pk)
        return self.render_to_response(self.get_context_data(form=form))


class EvaluationScheduleView(_WorkspaceMixin, View):
    """Set when the programme's evaluations are due (the form is on the evaluations page)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        schedule = selectors.schedule_of(programme=programme)
        form = EvaluationScheduleForm(request.POST, instance=schedule)
        if form.is_valid():
            try:
                guidance_services.evaluation_schedule_set(
                    actor=request.user, programme=programme, **form.cleaned_data
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The evaluation schedule was saved."))
                return self.redirect_to("programme_evaluations")
        problems = [str(m) for errors in form.errors.values() for m in errors]
        messages.error(
            request,
            _("The schedule was not saved: %(problems)s") % {"problems": " ".join(problems)},
        )
        return self.redirect_to("programme_evaluations")


class EvaluationDetailView(_WorkspaceMixin, TemplateView):
    """One evaluation: its structured form, the client's input, and its next steps."""

    template_name = "programmes/evaluation_detail.html"

    def get_evaluation(self) -> Evaluation:
        if not hasattr(self, "_evaluation"):
            self._evaluation = selectors.get_evaluation_for(
                programme=self.get_programme(), pk=self.kwargs["evaluation_pk"]
            )
        return self._evaluation

    def get_context_data(self, form=None, **kwargs):
        evaluation = self.get_evaluation()
        moves = [
            (status, EvaluationStatus(status).label)
            for status in EvaluationStatus.values
            if status in EVALUATION_TRANSITIONS[evaluation.status]
            and not (status == EvaluationStatus.OPEN and evaluation.kind != Evaluation.Kind.CLIENT)
        ]
        return super().get_context_data(
            evaluation=evaluation,
            form=form or EvaluationForm(instance=evaluation),
            editable=evaluation.status != EvaluationStatus.SHARED,
            moves=moves,
            actions=list(evaluation.actions.select_related("partner")),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        evaluation = self.get_evaluation()
        form = EvaluationForm(request.POST, instance=evaluation)
        if form.is_valid():
            try:
                services_fields = {k: form.cleaned_data[k] for k in form.changed_data}
                guidance_services.evaluation_update(
                    actor=request.user, evaluation=evaluation, **services_fields
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The evaluation was saved."))
                return redirect(request.path)
        # The form edited the instance; read it again for the rest of the page.
        self._evaluation = selectors.get_evaluation_for(
            programme=self.get_programme(), pk=self.kwargs["evaluation_pk"]
        )
        return self.render_to_response(self.get_context_data(form=form))


class EvaluationTransitionView(_WorkspaceMixin, View):
    """Move an evaluation on: open it for the client's input, hold it, share it."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        evaluation = selectors.get_evaluation_for(programme=programme, pk=kwargs["evaluation_pk"])
        new = request.POST.get("status", "")
        if new not in EvaluationStatus.values:
            messages.error(request, _("Choose what happens with the evaluation."))
        else:
            try:
                guidance_services.evaluation_transition(
                    actor=request.user, evaluation=evaluation, new=new
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("The evaluation is now: %(status)s.")
                    % {"status": EvaluationStatus(new).label},
                )
        return self.redirect_to("programme_evaluation", evaluation_pk=evaluation.pk)


class ActionListView(_WorkspaceMixin, TemplateView):
    """The neighbourhood's action plan, by date, filtered by status; a form adds an action."""

    template_name = "programmes/actions.html"

    def get_context_data(self, form=None, **kwargs):
        programme = self.get_programme()
        status = query_param(self.request, "status", 20)
        return super().get_context_data(
            page=paginate(self.request, selectors.actions_of(programme=programme, status=status)),
            counts=selectors.action_counts(programme=programme),
            statuses=Action.Status.choices,
            selected_status=status,
            form=form or ActionForm(programme=programme),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        form = ActionForm(request.POST, programme=programme)
        if form.is_valid():
            try:
                guidance_services.action_create(
                    actor=request.user, programme=programme, **form.cleaned_data
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The action was added to the action plan."))
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


class ActionUpdateView(_WorkspaceMixin, TemplateView):
    template_name = "programmes/action_form.html"

    def get_action(self) -> Action:
        return selectors.get_action_for(programme=self.get_programme(), pk=self.kwargs["action_pk"])

    def get_context_data(self, form=None, **kwargs):
        action = self.get_action()
        return super().get_context_data(
            action=action,
            form=form or ActionForm(instance=action, programme=self.get_programme()),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        action = self.get_action()
        form = ActionForm(request.POST, instance=action, programme=self.get_programme())
        if form.is_valid():
            try:
                guidance_services.action_update(
                    actor=request.user,
                    # Read again: validating the form set the posted values on `action`.
                    action=self.get_action(),
                    **{k: form.cleaned_data[k] for k in form.changed_data},
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The action was saved."))
                return self.redirect_to("programme_actions")
        return self.render_to_response(self.get_context_data(form=form))


class ProgrammeCloseView(_WorkspaceMixin, TemplateView):
    """Close the programme at its end (what happens is said first); once closed, how and
    when, with its final report."""

    template_name = "programmes/programme_close.html"

    def get_context_data(self, form=None, **kwargs):
        programme = self.get_programme()
        return super().get_context_data(
            closure=selectors.closure_of(programme=programme),
            members=len(selectors.members_to_thank(programme=programme)),
            form=form or ProgrammeCloseForm(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        form = ProgrammeCloseForm(request.POST)
        if form.is_valid():
            try:
                closure = guidance_services.programme_close(
                    actor=request.user, programme=programme, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "The programme was closed; %(count)s member is thanked by mail.",
                        "The programme was closed; %(count)s members are thanked by mail.",
                        closure.thanked,
                    )
                    % {"count": closure.thanked},
                )
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


# --- Portal ----------------------------------------------------------------------------------


class _PortalMixin(ProgrammeMixin):
    permission = Perm.PORTAL_VIEW

    def get_context_data(self, **kwargs):
        return super().get_context_data(closed=self.programme_closed, **kwargs)


class PortalEvaluationListView(_PortalMixin, TemplateView):
    """The client's view of the evaluations: its own, and the team's once shared."""

    template_name = "programmes/portal_evaluations.html"

    def get_context_data(self, **kwargs):
        programme = self.get_programme()
        return super().get_context_data(
            page=paginate(self.request, selectors.client_evaluations_of(programme=programme)),
            next_due=selectors.next_due(programme=programme),
            **kwargs,
        )


class PortalEvaluationView(_PortalMixin, TemplateView):
    """One evaluation for the client; one open for input takes the client's input."""

    template_name = "programmes/portal_evaluation.html"
    method_permissions = {"POST": Perm.EVALUATION_INPUT}

    def get_evaluation(self) -> Evaluation:
        return selectors.get_evaluation_for(
            programme=self.get_programme(), pk=self.kwargs["evaluation_pk"], client=True
        )

    def get_context_data(self, form=None, **kwargs):
        evaluation = self.get_evaluation()
        return super().get_context_data(
            evaluation=evaluation,
            form=form or ClientInputForm(initial={"client_input": evaluation.client_input}),
            actions=list(evaluation.actions.select_related("partner")),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        evaluation = self.get_evaluation()
        form = ClientInputForm(request.POST)
        if form.is_valid():
            try:
                services_text = form.cleaned_data["client_input"]
                guidance_services.evaluation_client_input(
                    actor=request.user, evaluation=evaluation, text=services_text
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("Thank you: your input was saved."))
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


class PortalActionListView(_PortalMixin, TemplateView):
    """The neighbourhood's action plan for the client, by date."""

    template_name = "programmes/portal_actions.html"

    def get_context_data(self, **kwargs):
        programme = self.get_programme()
        return super().get_context_data(
            page=paginate(self.request, selectors.actions_of(programme=programme)),
            counts=selectors.action_counts(programme=programme),
            statuses=Action.Status.choices,
            **kwargs,
        )

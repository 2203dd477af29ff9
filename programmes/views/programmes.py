"""Programme pages of the consultancy's workspace: choose the client, create, edit, the
overview and the intake."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from .. import selectors, services
from ..forms import GoalFormSet, IntakeForm, PartnerFormSet, ProgrammeForm
from ..mixins import ClientMixin, PermissionMixin, ProgrammeMixin
from ..models import Progress
from ..permissions import Perm
from ..selectors.meeting_series import series_of
from .common import client_admins_for, form_errors_to, query_param


class ProgrammeClientChooseView(PermissionMixin, TemplateView):
    """ "New programme" from the workspace: first choose the client it is for. Whoever may not
    add a client is told who can, instead of meeting a missing button."""

    permission = Perm.PROGRAMME_MANAGE
    template_name = "programmes/programme_choose_client.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        q = query_param(self.request, "q")
        clients = selectors.clients_for(user=user, q=q)  # by name (the model's ordering)
        page = Paginator(clients, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page, q=q, client_admins=client_admins_for(user), **kwargs
        )


class ProgrammeCreateView(ClientMixin, PermissionMixin, FormView):
    permission = Perm.PROGRAMME_MANAGE
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
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
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
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


MEETINGS_SHOWN = 8
SERIES_SHOWN = 5


class ProgrammeDetailView(ProgrammeMixin, TemplateView):
    template_name = "programmes/programme_detail.html"

    def get_context_data(self, **kwargs):
        programme = self.get_programme()
        milestones = selectors.milestones_of(programme=programme, with_owner=True)
        return super().get_context_data(
            status=selectors.programme_status(programme, milestones),
            upcoming=[m for m in milestones if not m.done_at][:5],
            # The next few; a series lists all of its own on its page.
            meetings=selectors.meetings_for_programme(programme=programme, upcoming_only=True)[
                :MEETINGS_SHOWN
            ],
            series_list=series_of(programme=programme)[:SERIES_SHOWN],
            goals=selectors.goals_of(programme=programme),
            partners=selectors.partners_of(programme=programme),
            leaders=selectors.leaders_of(programme=programme),
            contacts=selectors.client_contacts_of(programme=programme),
            latest_document=selectors.latest_plan_document(programme=programme),
            **kwargs,
        )


class ProgrammeIntakeView(ProgrammeMixin, TemplateView):
    """The intake: every saved goal and partner is a row of its form set carrying its id, so
    saving the page posts them all back and nothing is dropped. "Complete the intake" saves
    what is on the page and marks it complete in one go."""

    permission = Perm.PROGRAMME_MANAGE
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
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
                for g in selectors.goals_of(programme=programme)
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
                for p in selectors.partners_of(programme=programme)
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
            intake_milestone=selectors.milestone_by_key(
                programme=programme, key=Progress.INTAKE_COMPLETED
            ),
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

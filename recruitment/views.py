"""Recruitment pages: the public application page, the selection, the client's candidates."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from programmes.mixins import PublicMixin
from programmes.permissions import Perm, has_perm
from programmes.views.common import form_errors_to, posted_id
from programmes.views.programmes import ProgrammeMixin

from . import services
from .forms import ApplicationForm, CampaignForm, DecisionForm, MoveForm
from .models import Application
from .workflow import Stage

APPLY_LIMIT = 5  # applications per address per 10 minutes


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class ApplyView(PublicMixin, View):
    """The client-branded public application page of a programme."""

    template_name = "recruitment/apply.html"

    def _programme(self, programme_pk):
        programme = get_object_or_404(self.request.organisation.programmes, pk=programme_pk)
        return programme

    def _page(self, request, programme, form, status=200):
        campaign = services.campaign_for(programme=programme)
        return render(
            request,
            self.template_name if campaign.is_open else "recruitment/apply_closed.html",
            {
                "programme": programme,
                "client": request.organisation,
                "campaign": campaign,
                "form": form,
                "consent_text": services.consent_text(programme=programme, campaign=campaign),
            },
            status=status,
        )

    def get(self, request, org, programme_pk):
        programme = self._programme(programme_pk)
        return self._page(
            request, programme, ApplicationForm(postcode_areas=programme.postcode_areas)
        )

    def post(self, request, org, programme_pk):
        programme = self._programme(programme_pk)
        form = ApplicationForm(request.POST, postcode_areas=programme.postcode_areas)
        key = f"apply:{_client_ip(request)}"
        attempts = cache.get(key, 0)
        if attempts >= APPLY_LIMIT:
            return render(request, "429.html", status=429)
        cache.set(key, attempts + 1, timeout=600)
        if form.is_valid():
            if form.cleaned_data.get("website"):
                # A bot filled in the hidden field: answer as if all went well, store nothing.
                return render(
                    request,
                    "recruitment/apply_thanks.html",
                    {"client": request.organisation, "programme": programme},
                )
            campaign = services.campaign_for(programme=programme)
            fields = {k: v for k, v in form.cleaned_data.items() if k not in ("consent", "website")}
            try:
                services.application_submit(
                    programme=programme,
                    consent=services.consent_text(programme=programme, campaign=campaign),
                    **fields,
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                return render(
                    request,
                    "recruitment/apply_thanks.html",
                    {"client": request.organisation, "programme": programme},
                )
        return self._page(request, programme, form)


class SelectionView(ProgrammeMixin, TemplateView):
    """The project leader's selection: every applicant by stage, with the next step."""

    template_name = "recruitment/selection.html"

    def get_context_data(self, campaign_form=None, **kwargs):
        programme = self.get_programme()
        applications = list(Application.objects.filter(programme=programme))
        for application in applications:
            application.move_form = MoveForm(
                application=application, auto_id=f"id_a{application.pk}_%s"
            )
        by_stage = [
            (value, label, [a for a in applications if a.stage == value])
            for value, label in Stage.choices
        ]
        return super().get_context_data(
            by_stage=by_stage,
            campaign_form=campaign_form
            or CampaignForm(instance=services.campaign_for(programme=programme)),
            meetings=programme.meetings.filter(
                kind="information", starts_at__gte=timezone.now()
            ).order_by("starts_at"),
            flyer=programme.documents.filter(kind="recruitment_flyer").first(),
            poster=programme.documents.filter(kind="recruitment_poster").first(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not has_perm(request.user, Perm.PROGRAMME_MANAGE):
            raise PermissionDenied
        programme = self.get_programme()
        if "invite_meeting" in request.POST:
            meeting = get_object_or_404(programme.meetings, pk=posted_id(request, "invite_meeting"))
            count = services.applicants_invite(
                actor=request.user,
                meeting=meeting,
                applications=Application.objects.filter(
                    programme=programme, stage__in=[Stage.APPLIED, Stage.INVITED]
                ),
            )
            messages.success(request, _("%(n)s applicants were invited.") % {"n": count})
            return redirect(request.path)
        if "campaign" in request.POST:
            campaign = services.campaign_for(programme=programme)
            form = CampaignForm(request.POST, request.FILES, instance=campaign)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(campaign_form=form))
            fields = {k: v for k, v in form.cleaned_data.items() if k != "photo" or v is not None}
            if fields.get("photo") is False:  # "clear" ticked
                fields["photo"] = ""
            services.campaign_save(actor=request.user, programme=programme, **fields)
            messages.success(request, _("The recruitment settings were saved."))
            return redirect(request.path)
        application = get_object_or_404(
            Application, programme=programme, pk=posted_id(request, "application")
        )
        form = MoveForm(request.POST, application=application)
        if form.is_valid():
            try:
                services.application_move(
                    actor=request.user, application=application, **form.cleaned_data
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("%(name)s moved on.") % {"name": application.name})
        else:
            messages.error(request, _("Choose the next step."))
        return redirect(request.path)


class CandidatesView(ProgrammeMixin, TemplateView):
    """The client's view of proposed candidates: only what the consultancy shares."""

    permission = Perm.PORTAL_VIEW
    template_name = "recruitment/candidates.html"

    def get_context_data(self, forms=None, **kwargs):
        programme = self.get_programme()
        proposed = list(Application.objects.filter(programme=programme, stage=Stage.PROPOSED))
        decided = Application.objects.filter(
            programme=programme, stage__in=[Stage.SELECTED, Stage.NOT_SELECTED]
        ).order_by("name")
        forms = forms or {}
        return super().get_context_data(
            proposed=[(a, forms.get(a.pk) or DecisionForm(prefix=f"a{a.pk}")) for a in proposed],
            decided=decided,
            can_decide=has_perm(self.request.user, Perm.SIGNAL_HANDLE),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not has_perm(request.user, Perm.SIGNAL_HANDLE):  # the client's own staff decide
            raise PermissionDenied
        programme = self.get_programme()
        application = get_object_or_404(
            Application,
            programme=programme,
            stage=Stage.PROPOSED,
            pk=posted_id(request, "application"),
        )
        form = DecisionForm(request.POST, prefix=f"a{application.pk}")
        if form.is_valid():
            try:
                services.application_decide(
                    actor=request.user,
                    application=application,
                    approve=form.cleaned_data["decision"] == "approve",
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(
                    request, _("Your decision on %(name)s was saved.") % {"name": application.name}
                )
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(forms={application.pk: form}))

"""Recruitment pages: the public application page, the selection, the client's candidates."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from programmes.closure import refuse_if_closed
from programmes.mixins import ProgrammeMixin, PublicMixin
from programmes.models import ReadEntry
from programmes.pagination import PER_PAGE, paginate
from programmes.permissions import Perm
from programmes.ratelimits import form_limited, public_form_hit
from programmes.selectors import get_meeting_for, may_manage_programme
from programmes.selectors.bulk import bulk_job_latest
from programmes.services.reads import ReadSubject, record_read
from programmes.views.common import form_errors_to, posted_id
from programmes.views.rows import row_url

from . import selectors, services
from .forms import ApplicationEntryForm, ApplicationForm, CampaignForm, DecisionForm, MoveForm
from .models import Application
from .rows import selection_rows, selection_stages
from .workflow import Stage

APPLY_LIMIT = 5  # sends of the application form per visitor and programme per 10 minutes
APPLY_WINDOW = 10 * 60


class ApplyView(PublicMixin, View):
    """The client-branded public application page of a programme."""

    template_name = "recruitment/apply.html"

    def _programme(self, programme_pk):
        return selectors.get_public_programme(
            organisation=self.request.organisation, pk=programme_pk
        )

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
        refuse_if_closed(programme)  # a closed programme recruits no one
        form = ApplicationForm(request.POST, postcode_areas=programme.postcode_areas)
        if not may_manage_programme(user=request.user, programme=programme) and not (
            public_form_hit(
                request,
                action="apply",
                page=f"{request.organisation.pk}:{programme.pk}",
                limit=APPLY_LIMIT,
                window=APPLY_WINDOW,
            )
        ):
            return self._page(request, programme, form_limited(form), status=429)
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


class ApplicationEntryView(ProgrammeMixin, TemplateView):
    """The project leader enters an application given on paper or at the door (also while
    the public page is closed); the applicant gets the same confirmation mail."""

    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    template_name = "recruitment/application_entry.html"

    def get_context_data(self, form=None, **kwargs):
        programme = self.get_programme()
        campaign = services.campaign_for(programme=programme)
        return super().get_context_data(
            form=form or ApplicationEntryForm(postcode_areas=programme.postcode_areas),
            consent_text=services.consent_text(programme=programme, campaign=campaign),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        form = ApplicationEntryForm(request.POST, postcode_areas=programme.postcode_areas)
        if form.is_valid():
            campaign = services.campaign_for(programme=programme)
            fields = {k: v for k, v in form.cleaned_data.items() if k != "consent"}
            try:
                application = services.application_submit(
                    programme=programme,
                    consent=services.consent_text(programme=programme, campaign=campaign),
                    actor=request.user,
                    **fields,
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(
                    request,
                    _("The application of %(name)s was saved. Enter the next one.")
                    % {"name": application.name},
                )
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


def _undoable(applications, *, by_client: bool) -> list:
    """The decisions (the client's or the consultancy's) whose e-mail is still held, each
    with `held_until`: they can be undone."""
    decided = [a for a in applications if a.stage in (Stage.SELECTED, Stage.NOT_SELECTED)]
    held = services.decisions_held(applications=decided, by_client=by_client)
    undoable = []
    for application in decided:
        application.held_until = held.get(application.pk)
        if application.held_until:
            undoable.append(application)
    return undoable


def _decision_confirm(view, *, application, form, approve: bool, by_leader: bool = False):
    """The page that shows who gets which e-mail before a decision is saved."""
    return render(
        view.request,
        "recruitment/decision_confirm.html",
        {
            **view.get_context_data(),
            "application": application,
            "form": form,
            "approve": approve,
            "by_leader": by_leader,
            "mail": services.decision_mail_preview(application=application, approve=approve),
            "undo_minutes": settings.DECISION_UNDO_SECONDS // 60,
        },
    )


def _decision_undo(request, programme, *, by_client: bool, done: str):
    """Undo the posted decision while its e-mail is held; `done` is the message on success."""
    application = selectors.get_application_for(
        programme=programme,
        pk=posted_id(request, "undo"),
        stages=[Stage.SELECTED, Stage.NOT_SELECTED],
    )
    try:
        application = services.application_decision_undo(
            actor=request.user, application=application, by_client=by_client
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, done % {"name": application.name, "stage": application.get_stage_display()}
        )
    return redirect(request.path)


def _mark_duplicates(applications: list, *, programme) -> None:
    """Each application of the page with its possible duplicate (`duplicate`, None when
    none) and whether the e-mail address gave it away (`duplicate_by_email`)."""
    twins = selectors.duplicates_of(programme=programme, applications=applications)
    for application in applications:
        by_email, by_address = twins[application.pk]
        application.duplicate = by_email or by_address
        application.duplicate_by_email = by_email is not None


class SelectionView(ProgrammeMixin, TemplateView):
    """The project leader's selection: every applicant by stage, with the next step; a
    resident who applied twice is marked, and the two applications can be merged. The
    application page's settings have their own page (`CampaignSettingsView`)."""

    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    template_name = "recruitment/selection.html"
    paginate_by = PER_PAGE // 2  # each row carries its forms: half the usual page

    def invite_job(self):
        """The newest bulk invitation of applicants: its progress bar on the page."""
        return bulk_job_latest(programme=self.get_programme(), kind=services.APPLICANTS_INVITE)

    def get_context_data(self, **kwargs):
        programme = self.get_programme()
        stage = self.request.GET.get("stage", "")
        stage = stage if stage in Stage.values else ""
        seconds = settings.DECISION_UNDO_SECONDS + 60
        counts, decided = selectors.selection_counts(programme=programme, seconds=seconds)
        total = sum(counts.values())
        # The stage counts already tell how many rows there are: no COUNT of its own.
        page = selectors.selection_page(
            self.request,
            programme=programme,
            stage=stage,
            count=counts[stage] if stage else total,
            per_page=self.paginate_by,
        )
        applications = page.object_list
        _mark_duplicates(applications, programme=programme)
        kind = Application._meta.label_lower  # the rows are values, not model instances
        record_read(
            user=self.request.user,
            subjects=[ReadSubject(kind, a.pk, a.organisation_id, a.email) for a in applications],
            what=ReadEntry.What.APPLICATION,
            request=self.request,
        )
        rows = selection_rows(applications, csrf_token=get_token(self.request))
        # The decisions that may still be undone: only asked for when there are any.
        recent = selectors.decisions_recent(programme=programme, seconds=seconds) if decided else []
        return super().get_context_data(
            stages=selection_stages(self.request, stage=stage, counts=counts, rows=rows),
            page=page,
            undoable=_undoable(recent, by_client=False) if decided else [],
            urls=_programme_urls(programme),
            meetings=selectors.information_meetings_ahead(programme=programme),
            **selectors.recruitment_material(programme=programme),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        if "invite_meeting" in request.POST:
            meeting = get_meeting_for(programme=programme, pk=posted_id(request, "invite_meeting"))
            try:
                result = services.applicants_invite_start(
                    actor=request.user,
                    meeting=meeting,
                    applications=selectors.applications_to_invite(programme=programme),
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.add_message(request, *services.invite_started_message(result))
            return redirect(request.get_full_path())
        if "merge_pair" in request.POST:
            pair = request.POST["merge_pair"].split("-")
            keep_pk = posted_id(request, "merge_keep")
            if len(pair) != 2 or str(keep_pk) not in pair or not all(p.isdigit() for p in pair):
                raise Http404
            other_pk = pair[1] if pair[0] == str(keep_pk) else pair[0]
            keep = selectors.get_application_for(programme=programme, pk=keep_pk)
            other = selectors.get_application_for(
                programme=programme,
                pk=int(other_pk) if other_pk.isdigit() and len(other_pk) < 12 else 0,
            )
            try:
                services.applications_merge(actor=request.user, keep=keep, other=other)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("The two applications of %(name)s were merged into one.")
                    % {"name": keep.name},
                )
            return redirect(request.get_full_path())
        if "undo" in request.POST:
            return _decision_undo(
                request,
                programme,
                by_client=False,
                done=_(
                    "Your decision on %(name)s was undone; no e-mail was sent. "
                    "%(name)s is back at “%(stage)s”."
                ),
            )
        application = selectors.get_application_for(
            programme=programme, pk=posted_id(request, "application")
        )
        form = MoveForm(request.POST, application=application)
        if "edit" in request.POST:  # back from the confirmation: nothing saved
            return redirect(request.get_full_path())
        if form.is_valid():
            if form.cleaned_data["stage"] == Stage.NOT_SELECTED and "confirm" not in request.POST:
                # "Not selected" mails the applicant: say what they get before saving.
                return _decision_confirm(
                    self, application=application, form=form, approve=False, by_leader=True
                )
            try:
                services.application_move(
                    actor=request.user, application=application, **form.cleaned_data
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                done = (
                    _("Your decision on %(name)s was saved.")
                    if form.cleaned_data["stage"] == Stage.NOT_SELECTED
                    else _("%(name)s moved on.")
                )
                messages.success(request, done % {"name": application.name})
        else:
            messages.error(request, _("Choose the next step."))
        return redirect(request.get_full_path())


# (URL name, URL conf, script prefix) -> the URL as a function of (org, programme_pk).
_url_builders: dict[tuple, Callable] = {}
_SIDE_URLS = {
    "apply": "recruitment:apply",
    "settings": "recruitment:campaign_settings",
    "entry": "recruitment:application_entry",
}


def _programme_urls(programme) -> dict[str, str]:
    """The selection's side links (the application page, its settings, the paper entry) of
    `programme`, each reversed once per process rather than by a {% url %} per request."""
    urls = {}
    for key, name in _SIDE_URLS.items():
        cache_key = (name, get_urlconf(), get_script_prefix())
        if cache_key not in _url_builders:
            _url_builders[cache_key] = row_url(name, "org", "programme_pk")
        urls[key] = _url_builders[cache_key](programme.organisation.slug, programme.pk)
    return urls


class CampaignSettingsView(ProgrammeMixin, TemplateView):
    """The settings of the programme's application page (open or closed, its texts, its
    photo, how long applications are kept): a page of their own, reached from the
    selection, where the long form was a side panel of every list of applicants."""

    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    template_name = "recruitment/campaign_settings.html"

    def get_context_data(self, form=None, **kwargs):
        programme = self.get_programme()
        return super().get_context_data(
            form=form or CampaignForm(instance=services.campaign_for(programme=programme)),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        campaign = services.campaign_for(programme=programme)
        form = CampaignForm(request.POST, request.FILES, instance=campaign)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        fields = {k: v for k, v in form.cleaned_data.items() if k != "photo" or v is not None}
        if fields.get("photo") is False:  # "clear" ticked
            fields["photo"] = ""
        services.campaign_save(actor=request.user, programme=programme, **fields)
        messages.success(request, _("The recruitment settings were saved."))
        return redirect(request.get_full_path())


class CandidatesView(ProgrammeMixin, TemplateView):
    """The client's view of proposed candidates: only what the consultancy shares.

    A decision mails the applicant, so it is confirmed on a second page that says who gets
    what; after that it can be undone for as long as the mail is held."""

    permission = Perm.PORTAL_VIEW
    method_permissions = {"POST": Perm.CANDIDATE_DECIDE}
    template_name = "recruitment/candidates.html"

    decided_shown = 20  # on the first view; "show all" pages through the rest

    def get_context_data(self, forms=None, **kwargs):
        programme = self.get_programme()
        forms = forms or {}
        decided = selectors.candidates_decided(programme=programme)
        recent = selectors.decisions_recent(
            programme=programme, seconds=settings.DECISION_UNDO_SECONDS + 60
        )
        context = {
            "undoable": _undoable(recent, by_client=True),
            "can_decide": self.may("POST"),
            "show_decided": self.request.GET.get("show") == "decided",
        }
        if context["show_decided"]:
            context["page"] = paginate(self.request, decided)
            context["decided"] = list(context["page"].object_list)
        else:
            page = paginate(self.request, selectors.candidates_proposed(programme=programme))
            shown = list(decided[: self.decided_shown + 1])
            context |= {
                "page": page,
                "proposed": [
                    (a, forms.get(a.pk) or DecisionForm(prefix=f"a{a.pk}"))
                    for a in page.object_list
                ],
                "decided": shown[: self.decided_shown],
                "decided_more": len(shown) > self.decided_shown,
            }
        shown_people = [*[a for a, _form in context.get("proposed", ())], *context["decided"]]
        record_read(
            user=self.request.user,
            subjects=shown_people,
            what=ReadEntry.What.CANDIDATE,
            request=self.request,
        )
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        if "undo" in request.POST:
            return _decision_undo(
                request,
                programme,
                by_client=True,
                done=_(
                    "Your decision on %(name)s was undone; no e-mail was sent. "
                    "%(name)s is a candidate again."
                ),
            )
        application = selectors.get_application_for(
            programme=programme, pk=posted_id(request, "application"), stages=[Stage.PROPOSED]
        )
        form = DecisionForm(request.POST, prefix=f"a{application.pk}")
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            if "confirm" not in request.POST or "edit" in request.POST:
                if "edit" in request.POST:
                    return self.render_to_response(
                        self.get_context_data(forms={application.pk: form})
                    )
                return _decision_confirm(self, application=application, form=form, approve=approve)
            try:
                services.application_decide(
                    actor=request.user,
                    application=application,
                    approve=approve,
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

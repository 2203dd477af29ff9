"""Training pages: the track and the workshop's verdicts for the project leader (one small
view per thing done on the page), the member's own part in the app, and the public
verification of certificates."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from programmes.mixins import PermissionMixin, ProgrammeMixin, PublicMixin
from programmes.permissions import Perm
from programmes.selectors import current_membership, team_memberships_for
from programmes.selectors.bulk import bulk_job_latest
from programmes.views.common import posted_id

from . import forms, selectors, services


class _TrackPage(ProgrammeMixin, TemplateView):
    template_name = "trainings/track.html"

    def get_context_data(self, form=None, cohort_form=None, **kwargs):
        overview = selectors.track_overview(programme=self.get_programme())
        return super().get_context_data(
            form=form or forms.TrackForm(),
            cohort_form=cohort_form
            or forms.CohortForm(
                members=overview["newcomers"],
                initial={"members": list(overview["newcomers"])},
            ),
            **overview,
            invite_job=bulk_job_latest(programme=self.get_programme(), kind=services.TEAM_INVITE),
            certificates_job=bulk_job_latest(
                programme=self.get_programme(), kind=services.CERTIFICATES_ISSUE
            ),
            **kwargs,
        )


class _TrackAction(_TrackPage):
    """One thing a project leader does on the track page: its form is read, the selectors
    look up what it names (404 for a tampered id), a service does it, and the page says how
    it went. A service's refusal is shown as a message on the page."""

    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    http_method_names = ["post"]
    form_class = None

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        form = self.form_class(request.POST, request.FILES)
        try:
            response = self.act(programme, form) if form.is_valid() else self.invalid(form)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            response = None
        return response or self.redirect_to("trainings:programme_trainings")

    def act(self, programme, form):
        raise NotImplementedError

    def invalid(self, form):
        """Only a tampered form is invalid here (the page's own forms always are valid)."""
        raise Http404


class TrackCreateView(_TrackAction):
    """Plan the three meetings of the track."""

    form_class = forms.TrackForm

    def act(self, programme, form):
        data = form.cleaned_data
        services.track_create(
            actor=self.request.user,
            programme=programme,
            starts={k: data[k] for k in ("introduction", "workshop", "instruction")},
            location=data["location"],
            trainer=data["trainer"],
        )
        messages.success(self.request, _("The training track was planned."))

    def invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form))


class CohortCreateView(_TrackAction):
    """Plan a newcomers' cohort: its own three meetings, and who is in it."""

    form_class = forms.CohortForm

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        form = forms.CohortForm(
            request.POST, members=selectors.track_newcomers(programme=programme)
        )
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(cohort_form=form))
        data = form.cleaned_data
        try:
            cohort = services.cohort_create(
                actor=request.user,
                programme=programme,
                starts={k: data[k] for k in ("introduction", "workshop", "instruction")},
                location=data["location"],
                trainer=data["trainer"],
                members=data["members"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(name)s was planned with its own track.") % {"name": cohort.name}
            )
        return self.redirect_to("trainings:programme_trainings")


class TeamInviteView(_TrackAction):
    """Invite the whole team to one training."""

    form_class = forms.InviteForm

    def act(self, programme, form):
        training = selectors.get_training_for(programme=programme, pk=form.cleaned_data["training"])
        count = services.team_invite_start(actor=self.request.user, training=training)
        if not isinstance(count, int):
            messages.info(
                self.request,
                _("The invitations are being sent; the progress shows on this page."),
            )
            return
        messages.success(
            self.request,
            ngettext("%(n)s team member was invited.", "%(n)s team members were invited.", count)
            % {"n": count},
        )


class AssessView(_TrackAction):
    """The workshop's verdict on one member of the team."""

    form_class = forms.AssessForm

    def act(self, programme, form):
        data = form.cleaned_data
        member = selectors.get_roster_member_for(programme=programme, user_pk=data["user"])
        # The workshop of the member's cohort (a newcomer is assessed at their own).
        training = selectors.get_workshop_for(programme=programme, cohort=member.cohort)
        services.assessment_record(
            actor=self.request.user,
            training=training,
            user=member.user,
            passed=data["passed"],
            note=data["note"],
        )
        messages.success(
            self.request, _("The verdict on %(name)s was saved.") % {"name": member.user.name}
        )


class RulesSaveView(_TrackAction):
    """Save the rules of the team."""

    form_class = forms.RulesForm

    def act(self, programme, form):
        services.rules_save(
            actor=self.request.user, programme=programme, text=form.cleaned_data["text"]
        )
        messages.success(self.request, _("The rules were saved."))


class ReadyView(_TrackAction):
    """Let a member walk rounds before finishing the track (with a reason), or not."""

    form_class = forms.ReadyForm

    def act(self, programme, form):
        data = form.cleaned_data
        member = selectors.get_roster_member_for(programme=programme, user_pk=data["user"])
        services.readiness_override(
            actor=self.request.user, member=member, ready=data["ready"], reason=data["reason"]
        )
        messages.success(self.request, _("Saved."))


class GearHandOutView(_TrackAction):
    """Tick (or untick) one item handed out to a member at the kickoff."""

    form_class = forms.GearForm

    def act(self, programme, form):
        data = form.cleaned_data
        member = selectors.get_roster_member_for(programme=programme, user_pk=data["user"])
        services.gear_hand_out_to(
            actor=self.request.user,
            programme=programme,
            user=member.user,
            item=data["item"],
            given=data["given"],
        )
        messages.success(self.request, _("Saved."))


class StreetsSaveView(_TrackAction):
    """Save the streets of the introduction flyer and divide new ones among the team."""

    form_class = forms.StreetsForm

    def act(self, programme, form):
        added, removed = services.streets_save(
            actor=self.request.user,
            programme=programme,
            streets=form.cleaned_data["streets"].splitlines(),
        )
        messages.success(
            self.request,
            _("The streets were saved: %(added)s added, %(removed)s removed.")
            % {"added": added, "removed": removed},
        )


class IntroductionSaveView(_TrackAction):
    """Save the team photo and how to reach the team."""

    form_class = forms.IntroductionForm

    def act(self, programme, form):
        services.introduction_save(
            actor=self.request.user,
            programme=programme,
            contact=form.cleaned_data["contact"],
            photo=form.cleaned_data["photo"],
        )
        messages.success(self.request, _("Saved."))


class CertificatesIssueView(_TrackAction):
    """Issue the certificates of the whole track (who passed, and who was present and not
    assessed yet): a few at once, more in a bulk job whose progress the page shows."""

    form_class = forms.CertificatesForm

    def act(self, programme, form):
        training = selectors.get_workshop_for(
            programme=programme, cohort=form.cleaned_data["cohort"] or 1
        )
        result = services.certificates_issue_start(actor=self.request.user, training=training)
        if not isinstance(result, int):
            messages.info(
                self.request,
                _("The certificates are being issued; the progress shows on this page."),
            )
            return
        messages.success(
            self.request,
            ngettext(
                "%(n)s certificate was issued; the PDF is being made and mailed.",
                "%(n)s certificates were issued; the PDFs are being made and mailed.",
                result,
            )
            % {"n": result},
        )


class CertificateRevokeView(_TrackAction):
    """Revoke a certificate. When its holder is mailed, say who gets what and ask first."""

    form_class = forms.RevokeForm

    def act(self, programme, form):
        data = form.cleaned_data
        certificate = selectors.get_certificate_for(programme=programme, pk=data["certificate"])
        reason = data["reason"]
        if not data["confirm"] and reason.strip() and certificate.user_id:
            return render(
                self.request,
                "trainings/revoke_confirm.html",
                {
                    "programme": programme,
                    "client": self.request.organisation,
                    "certificate": certificate,
                    "reason": reason,
                    "mail": services.certificate_revoke_preview(
                        certificate=certificate, reason=reason
                    ),
                    "undo_minutes": settings.DECISION_UNDO_SECONDS // 60,
                },
            )
        services.certificate_revoke(actor=self.request.user, certificate=certificate, reason=reason)
        messages.success(self.request, _("The certificate was revoked."))


class CertificateRevokeUndoView(_TrackAction):
    """Take a revocation back while its mail is still held."""

    form_class = forms.RevokeForm

    def act(self, programme, form):
        certificate = selectors.get_certificate_for(
            programme=programme, pk=form.cleaned_data["certificate"]
        )
        services.certificate_revoke_undo(actor=self.request.user, certificate=certificate)
        messages.success(
            self.request,
            _("The revocation was undone; no e-mail was sent to %(name)s.")
            % {"name": certificate.holder_name},
        )


TRACK_ACTIONS = {
    "track": TrackCreateView,
    "invite": TeamInviteView,
    "assess": AssessView,
    "rules": RulesSaveView,
    "ready": ReadyView,
    "gear": GearHandOutView,
    "streets": StreetsSaveView,
    "introduction": IntroductionSaveView,
    "certificates": CertificatesIssueView,
    "cohort": CohortCreateView,
    "revoke": CertificateRevokeView,
    "revoke_undo": CertificateRevokeUndoView,
}


class TrainingsView(_TrackPage):
    """The track page of a programme; each form on it posts to its own action view."""

    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def post(self, request, *args, **kwargs):
        """A form posted here with an `action` (a page rendered before each action had its
        own address) is handed to that action's view, so it still does the same."""
        action = TRACK_ACTIONS.get(request.POST.get("action", ""))
        if action is not None:
            return action.as_view()(request, *args, **kwargs)
        return redirect(request.path)


class VerifyView(PublicMixin, View):
    """Anyone can check a certificate by its code or QR: only name, certificate, date and
    validity are shown. An unknown code says so, with the same answer for any wrong code."""

    def get(self, request, org, code=None):
        code = code or request.GET.get("code", "")
        certificate = services.certificate_by_code(code=code) if code else None
        status = 200 if certificate or not code else 404
        return render(
            request,
            "trainings/verify.html",
            {
                "certificate": certificate,
                "code": code[:40],
                "searched": bool(code),
                "client": request.organisation,
            },
            status=status,
        )


class _MemberMixin(PermissionMixin):
    """The team member's own part of the track, in the programme they chose in the app."""

    permission = Perm.TEAM_APP_VIEW
    method_permissions = {"POST": Perm.TEAM_APP_VIEW}

    def membership(self):
        """The programme the member chose in the app (or their only or first one)."""
        memberships = team_memberships_for(user=self.request.user)
        member = current_membership(
            user=self.request.user, session=self.request.session, memberships=memberships
        ) or (memberships[0] if memberships else None)
        if member is None:
            raise PermissionDenied  # only a member of a team has a track
        return member


class MemberTrackView(_MemberMixin, TemplateView):
    """The member's own part in the app: accept the rules, choose sizes, tick delivered
    streets (each form posts to its own action view)."""

    template_name = "trainings/member.html"

    def get_context_data(self, **kwargs):
        programme = self.membership().programme
        return super().get_context_data(
            client=self.request.organisation,
            programme=programme,
            **selectors.member_track(programme=programme, user=self.request.user),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """A form posted here with an `action` (a page rendered before each action had its
        own address, e.g. kept by the phone) is handed to that action's view."""
        self.membership()  # only a member of a team has a track to post to
        action = MEMBER_ACTIONS.get(request.POST.get("action", ""))
        if action is not None:
            return action.as_view()(request, *args, **kwargs)
        return redirect(request.path)


class _MemberAction(_MemberMixin, View):
    """One thing the member does on their track page; back to the page after it, with a
    service's refusal as a message."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        programme = self.membership().programme
        try:
            self.act(programme)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("trainings:team_track", org=kwargs["org"])

    def act(self, programme):
        raise NotImplementedError


class MemberRulesAcceptView(_MemberAction):
    """The member accepts the team's rules."""

    def act(self, programme):
        services.rules_accept(user=self.request.user, programme=programme)
        messages.success(self.request, _("Thank you: you accepted the rules of the team."))


class MemberSizesView(_MemberAction):
    """The member's sizes for the gear."""

    def act(self, programme):
        services.gear_sizes_save(
            user=self.request.user,
            programme=programme,
            bodywarmer_size=self.request.POST.get("bodywarmer_size", ""),
            shirt_size=self.request.POST.get("shirt_size", ""),
        )
        messages.success(self.request, _("Your sizes were saved."))


class MemberStreetView(_MemberAction):
    """The member ticks a street of theirs as delivered (or not yet); 404 for a street of no
    flyer round of the programme, and the service refuses someone else's with a message."""

    def act(self, programme):
        assignment = selectors.get_street_assignment_for(
            programme=programme, pk=posted_id(self.request, "street")
        )
        services.street_delivered(
            user=self.request.user,
            assignment=assignment,
            delivered=self.request.POST.get("delivered") == "1",
        )


MEMBER_ACTIONS = {
    "accept": MemberRulesAcceptView,
    "sizes": MemberSizesView,
    "street": MemberStreetView,
}

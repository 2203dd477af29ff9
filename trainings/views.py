"""Training pages: the track and the workshop's verdicts for the project leader, and the
public verification of certificates."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from programmes.mixins import PermissionMixin, PublicMixin
from programmes.models import TeamMember, User
from programmes.permissions import Perm, has_perm
from programmes.views.common import posted_id
from programmes.views.programmes import ProgrammeMixin

from . import services
from .models import (
    Assessment,
    Certificate,
    Gear,
    RulesAcceptance,
    StreetAssignment,
    Training,
)


class TrackForm(forms.Form):
    introduction = forms.DateTimeField(
        label=gettext_lazy("Introduction meeting"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    workshop = forms.DateTimeField(
        label=gettext_lazy("Workshop Effective Communication"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    instruction = forms.DateTimeField(
        label=gettext_lazy("Instruction meeting"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    trainer = forms.CharField(
        label=gettext_lazy("Trainer of the workshop"), max_length=200, required=False
    )


class TrainingsView(ProgrammeMixin, TemplateView):
    template_name = "trainings/track.html"

    def get_context_data(self, form=None, **kwargs):
        programme = self.get_programme()
        trainings = list(Training.objects.filter(programme=programme).select_related("meeting"))
        workshop = next((t for t in trainings if t.kind == Training.Kind.WORKSHOP), None)
        members = list(
            TeamMember.objects.filter(programme=programme, is_active=True).select_related("user")
        )
        verdicts = (
            {a.user_id: a for a in Assessment.objects.filter(training=workshop)} if workshop else {}
        )
        certificates = list(
            Certificate.objects.filter(programme=programme).select_related("document")
        )
        for member in members:
            member.verdict = verdicts.get(member.user_id)
        return super().get_context_data(
            trainings=trainings,
            workshop=workshop,
            members=members,
            certificates=certificates,
            form=form or TrackForm(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not has_perm(request.user, Perm.PROGRAMME_MANAGE):
            raise PermissionDenied
        programme = self.get_programme()
        action = request.POST.get("action")
        try:
            if action == "track":
                form = TrackForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form))
                data = form.cleaned_data
                services.track_create(
                    actor=request.user,
                    programme=programme,
                    starts={k: data[k] for k in ("introduction", "workshop", "instruction")},
                    location=data["location"],
                    trainer=data["trainer"],
                )
                messages.success(request, _("The training track was planned."))
            elif action == "invite":
                training = get_object_or_404(
                    Training, programme=programme, pk=posted_id(request, "training")
                )
                count = services.team_invite(actor=request.user, training=training)
                messages.success(request, _("%(n)s team members were invited.") % {"n": count})
            elif action == "assess":
                training = Training.objects.filter(
                    programme=programme, kind=Training.Kind.WORKSHOP
                ).first()
                user = User.objects.filter(pk=posted_id(request, "user")).first()
                if training is None or user is None or request.POST.get("passed") not in ("1", "0"):
                    raise Http404
                services.assessment_record(
                    actor=request.user,
                    training=training,
                    user=user,
                    passed=request.POST["passed"] == "1",
                    note=request.POST.get("note", "")[:2000],
                )
                messages.success(
                    request, _("The verdict on %(name)s was saved.") % {"name": user.name}
                )
            elif action == "rules":
                services.rules_save(
                    actor=request.user,
                    programme=programme,
                    text=request.POST.get("text", "")[:10000],
                )
                messages.success(request, _("The rules were saved."))
            elif action == "ready":
                from programmes.services import team_member_set_ready

                member = get_object_or_404(
                    TeamMember, programme=programme, user_id=posted_id(request, "user")
                )
                ready = request.POST.get("ready") == "1"
                reason = request.POST.get("reason", "")[:300]
                if (
                    ready
                    and not reason.strip()
                    and not all(services.readiness(programme=programme, user=member.user).values())
                ):
                    raise ValidationError(
                        _("Say why this member may walk rounds before finishing the track.")
                    )
                team_member_set_ready(actor=request.user, member=member, ready=ready, reason=reason)
                messages.success(request, _("Saved."))
            elif action == "gear":
                gear = get_object_or_404(Gear, programme=programme, pk=posted_id(request, "gear"))
                services.gear_hand_out(
                    actor=request.user,
                    gear=gear,
                    item=request.POST.get("item", ""),
                    given=request.POST.get("given") == "1",
                )
            elif action == "streets":
                count = services.streets_divide(
                    actor=request.user,
                    programme=programme,
                    streets=request.POST.get("streets", "").splitlines(),
                )
                messages.success(
                    request, _("%(n)s streets were divided among the team.") % {"n": count}
                )
            elif action == "introduction":
                services.introduction_save(
                    actor=request.user,
                    programme=programme,
                    contact=request.POST.get("contact", "")[:2000],
                    photo=request.FILES.get("photo"),
                )
                messages.success(request, _("Saved."))
            elif action == "revoke":
                certificate = get_object_or_404(
                    Certificate, programme=programme, pk=posted_id(request, "certificate")
                )
                services.certificate_revoke(
                    actor=request.user,
                    certificate=certificate,
                    reason=request.POST.get("reason", "")[:300],
                )
                messages.success(request, _("The certificate was revoked."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
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


class MemberTrackView(PermissionMixin, TemplateView):
    """The member's own part in the app: accept the rules, choose sizes, tick delivered
    streets."""

    permission = Perm.TEAM_APP_VIEW
    template_name = "trainings/member.html"

    def membership(self):
        member = (
            TeamMember.objects.filter(user=self.request.user, is_active=True)
            .select_related("programme")
            .first()
        )
        if member is None:
            raise PermissionDenied
        return member

    def get_context_data(self, **kwargs):
        member = self.membership()
        programme = member.programme
        gear = Gear.objects.filter(programme=programme, user=self.request.user).first()
        return super().get_context_data(
            client=self.request.organisation,
            programme=programme,
            rules=services.rules_for(programme=programme),
            accepted=RulesAcceptance.objects.filter(
                programme=programme, user=self.request.user
            ).first(),
            gear=gear,
            sizes=Gear.Size.choices,
            streets=StreetAssignment.objects.filter(programme=programme, user=self.request.user),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        programme = self.membership().programme
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.rules_accept(user=request.user, programme=programme)
                messages.success(request, _("Thank you: you accepted the rules of the team."))
            elif action == "sizes":
                services.gear_sizes_save(
                    user=request.user,
                    programme=programme,
                    bodywarmer_size=request.POST.get("bodywarmer_size", ""),
                    shirt_size=request.POST.get("shirt_size", ""),
                )
                messages.success(request, _("Your sizes were saved."))
            elif action == "street":
                assignment = get_object_or_404(
                    StreetAssignment, programme=programme, pk=posted_id(request, "street")
                )
                services.street_delivered(
                    user=request.user,
                    assignment=assignment,
                    delivered=request.POST.get("delivered") == "1",
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(request.path)

"""Training pages: the track and the workshop's verdicts for the project leader, and the
public verification of certificates."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from programmes.forms import PastDateConfirmMixin
from programmes.mixins import PermissionMixin, ProgrammeMixin, PublicMixin
from programmes.models import Document, TeamMember, User
from programmes.permissions import Perm, has_perm
from programmes.views.common import posted_id

from . import services
from .models import (
    Assessment,
    Certificate,
    Gear,
    RulesAcceptance,
    StreetAssignment,
    Training,
)


class TrackForm(PastDateConfirmMixin, forms.Form):
    past_date_fields = ("introduction", "workshop", "instruction")
    past_date_is_training = True

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
        """Everything saved on this page, in a fixed number of queries whatever the size of
        the team: the track, verdicts, certificates, readiness with its reason, gear with the
        order list, the rules, the introduction and its documents, and the streets."""
        programme = self.get_programme()
        trainings = list(
            Training.objects.filter(programme=programme)
            .select_related("meeting")
            .annotate(n_invited=Count("meeting__invitees"))
        )
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
        held = services.certificate_revokes_held(certificates=certificates)
        for certificate in certificates:
            certificate.revoke_held_until = held.get(certificate.pk)
        progress = services.track_progress(
            programme=programme, user_ids=[m.user_id for m in members]
        )
        reasons = services.readiness_reasons(programme=programme, members=members)
        gear = {g.user_id: g for g in Gear.objects.filter(programme=programme)}
        for member in members:
            member.verdict = verdicts.get(member.user_id)
            member.track = progress[member.user_id]
            member.readiness = reasons[member.user_id]
            member.gear = gear.get(member.user_id)
        documents = {}
        for document in Document.objects.filter(
            programme=programme,
            kind__in=[Document.Kind.INTRODUCTION_FLYER, Document.Kind.INTRODUCTION_POSTER],
        ).order_by("-created_at", "-id"):
            documents.setdefault(document.kind, document)
        coverage = services.street_coverage(programme=programme)
        assignments = list(
            StreetAssignment.objects.filter(programme=programme).select_related("user")
        )
        return super().get_context_data(
            trainings=trainings,
            workshop=workshop,
            members=members,
            certificates=certificates,
            form=form or TrackForm(),
            rules=services.rules_for(programme=programme),
            introduction=services.introduction_for(programme=programme),
            intro_flyer=documents.get(Document.Kind.INTRODUCTION_FLYER),
            intro_poster=documents.get(Document.Kind.INTRODUCTION_POSTER),
            order=services.gear_order_list(programme=programme),
            coverage=coverage,
            assignments=assignments,
            streets_text="\n".join(a.street for a in assignments),
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
                messages.success(
                    request,
                    ngettext(
                        "%(n)s team member was invited.", "%(n)s team members were invited.", count
                    )
                    % {"n": count},
                )
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
                member = get_object_or_404(
                    TeamMember, programme=programme, user_id=posted_id(request, "user")
                )
                services.gear_hand_out_to(
                    actor=request.user,
                    programme=programme,
                    user=member.user,
                    item=request.POST.get("item", ""),
                    given=request.POST.get("given") == "1",
                )
                messages.success(request, _("Saved."))
            elif action == "streets":
                added, removed = services.streets_save(
                    actor=request.user,
                    programme=programme,
                    streets=request.POST.get("streets", "")[:200_000].splitlines(),
                )
                messages.success(
                    request,
                    _("The streets were saved: %(added)s added, %(removed)s removed.")
                    % {"added": added, "removed": removed},
                )
            elif action == "introduction":
                services.introduction_save(
                    actor=request.user,
                    programme=programme,
                    contact=request.POST.get("contact", "")[:2000],
                    photo=request.FILES.get("photo"),
                )
                messages.success(request, _("Saved."))
            elif action in ("revoke", "revoke_undo"):
                certificate = get_object_or_404(
                    Certificate.objects.select_related("user"),
                    programme=programme,
                    pk=posted_id(request, "certificate"),
                )
                reason = request.POST.get("reason", "")[:300]
                if action == "revoke_undo":
                    services.certificate_revoke_undo(actor=request.user, certificate=certificate)
                    messages.success(
                        request,
                        _("The revocation was undone; no e-mail was sent to %(name)s.")
                        % {"name": certificate.holder_name},
                    )
                elif "confirm" not in request.POST and reason.strip() and certificate.user_id:
                    # The holder is mailed: say who gets what and ask first.
                    return render(
                        request,
                        "trainings/revoke_confirm.html",
                        {
                            "programme": programme,
                            "client": request.organisation,
                            "certificate": certificate,
                            "reason": reason,
                            "mail": services.certificate_revoke_preview(
                                certificate=certificate, reason=reason
                            ),
                            "undo_minutes": settings.DECISION_UNDO_SECONDS // 60,
                        },
                    )
                else:
                    services.certificate_revoke(
                        actor=request.user, certificate=certificate, reason=reason
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
        """The programme the member chose in the app (or their only or first one)."""
        from programmes.selectors import current_membership, team_memberships_for

        memberships = team_memberships_for(user=self.request.user)
        member = current_membership(
            user=self.request.user, session=self.request.session, memberships=memberships
        ) or (memberships[0] if memberships else None)
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

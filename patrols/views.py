"""The team member's phone app: home, the round screen, signing up; and the service worker.
The member's own signals and documents are in `patrols.own`.

The pages are server-rendered; `static/js/team-app.js` keeps an outbox in IndexedDB so records
made without a connection are sent when it returns.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from programmes.closure import refuse_if_closed
from programmes.mixins import PermissionMixin, PublicMixin
from programmes.models import Programme
from programmes.permissions import Perm
from programmes.readiness import readiness_reason
from programmes.selectors import (
    TEAM_PROGRAMME_SESSION_KEY,
    current_membership,
    team_memberships_for,
)
from programmes.selectors.board import board_for_member

from . import selectors, services
from .models import Conversation, RoundSlot


def _categories_json(programme) -> list[dict]:
    return [
        {"id": c.pk, "name": str(c), "label": c.name, "parent": c.parent_id}
        for c in selectors.categories_for(programme=programme)
    ]


class _MembershipMixin:
    """The programme the member works in: the one chosen (kept in the session) or their only
    one. A member of several programmes who has not chosen yet is sent to the chooser."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.memberships = team_memberships_for(user=request.user)
            self.member = current_membership(
                user=request.user, session=request.session, memberships=self.memberships
            )
            if self.member is None and len(self.memberships) > 1:
                return redirect("patrols:team_choose", org=kwargs["org"])
        return super().dispatch(request, *args, **kwargs)


class TeamHomeView(_MembershipMixin, PermissionMixin, TemplateView):
    """The team member's phone-first home: next rounds, start a round, the notice board's
    newest messages, my signals, my effort (with activities); and, for a member who may not
    walk rounds yet, why not."""

    permission = Perm.TEAM_APP_VIEW
    template_name = "patrols/team_home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        memberships = self.memberships
        programme = self.member.programme if self.member else None
        today = timezone.localdate()
        effort = None
        if programme:
            effort = services.effort_of(
                programme=programme, user=user, year=today.year, month=today.month
            )
        slots = list(selectors.upcoming_slots(programme=programme)) if programme else []
        return super().get_context_data(
            client=self.request.organisation,
            memberships=memberships,
            programme=programme,
            member=self.member,
            not_ready_reason=readiness_reason(member=self.member) if self.member else "",
            slots=slots,
            signed_slots={
                s.pk for s in slots if any(x.user_id == user.pk for x in s.signups.all())
            },
            my_signals=selectors.signals_of_member(user=user, limit=5),
            # The notice board's newest messages (the board page has them all).
            board=list(board_for_member(user=user, programme=programme)[:3]) if programme else [],
            effort=effort,
            rule=getattr(programme, "effort_rule", None) if programme else None,
            # Ready, being made or failed: a certificate that could not be made says so and
            # offers "try again" instead of being missing without a word.
            my_documents=selectors.own_documents(user=user),
            **kwargs,
        )


class RoundScreenView(_MembershipMixin, PermissionMixin, TemplateView):
    """The screen used during a round; works offline once visited (service worker). A member
    who may not walk rounds yet gets the reason instead (403, so it is never cached)."""

    permission = Perm.TEAM_APP_VIEW
    template_name = "patrols/round.html"

    def get(self, request, *args, **kwargs):
        if self.member is None:
            raise PermissionDenied  # only members of a team walk rounds
        reason = readiness_reason(member=self.member)
        if reason:
            return render(
                request,
                "patrols/round_not_ready.html",
                {
                    "client": request.organisation,
                    "programme": self.member.programme,
                    "not_ready_reason": reason,
                },
                status=403,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        programme = self.member.programme
        services.categories_ensure(programme=programme)
        mates = selectors.mates_of(programme=programme, user=self.request.user)
        return super().get_context_data(
            client=self.request.organisation,
            programme=programme,
            mates=mates,
            app_config={
                "programme": programme.pk,
                "tiles": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
                "categories": _categories_json(programme),
                "api": {
                    "rounds": f"/team/{self.request.organisation.slug}/api/rounds/",
                    "signals": f"/team/{self.request.organisation.slug}/api/signals/",
                    "conversations": f"/team/{self.request.organisation.slug}/api/conversations/",
                    "confirmations": f"/team/{self.request.organisation.slug}/api/confirmations/",
                    "open_signals": f"/team/{self.request.organisation.slug}/api/open-signals/"
                    f"?programme={programme.pk}",
                },
            },
            topics=Conversation.Topic.choices,
            outcomes=Conversation.Outcome.choices,
            **kwargs,
        )


def _member_slot(request, slot_pk) -> RoundSlot:
    """A scheduled round of one of the member's programmes; 403 for someone on no team, 404
    for a round that is not theirs."""
    if not selectors.on_a_team(user=request.user):
        raise PermissionDenied
    return selectors.get_member_slot(user=request.user, pk=slot_pk)


def _sign(request, org, slot_pk, *, signed_up: bool):
    """Sign the member up for (or off) a scheduled round and go home with what happened."""
    slot = _member_slot(request, slot_pk)
    refuse_if_closed(Programme(pk=slot.programme_id))  # a closed programme's rounds are history
    try:
        services.round_signup(actor=request.user, slot=slot, signed_up=signed_up)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if signed_up:
            messages.success(request, _("You're in: thank you for joining this round."))
        else:
            messages.success(request, _("You have signed off from this round."))
    return redirect("patrols:team_home", org=org)


class SignupView(PermissionMixin, View):
    """Sign up for a scheduled round (signing off goes through `SignoffView`'s question)."""

    method_permissions = {"POST": Perm.TEAM_APP_VIEW}
    http_method_names = ["post"]

    def post(self, request, org, slot_pk):
        return _sign(request, org, slot_pk, signed_up=request.POST.get("signup") == "1")


class SignoffView(PermissionMixin, TemplateView):
    """Signing off from a round asks first (a page with the question, no script): a tap on
    the wrong button must not silently cancel a member's place."""

    permission = Perm.TEAM_APP_VIEW
    method_permissions = {"POST": Perm.TEAM_APP_VIEW}
    template_name = "patrols/round_signoff.html"

    def get_context_data(self, **kwargs):
        slot = _member_slot(self.request, self.kwargs["slot_pk"])
        return super().get_context_data(
            client=self.request.organisation,
            slot=slot,
            signed_up=selectors.is_signed_up(slot=slot, user=self.request.user),
            **kwargs,
        )

    def post(self, request, org, slot_pk):
        return _sign(request, org, slot_pk, signed_up=False)


class TeamChooseView(PermissionMixin, TemplateView):
    """A member of several programmes chooses the one to work in; the choice is kept in the
    session, so the app does not pick one for them."""

    permission = Perm.TEAM_APP_VIEW
    method_permissions = {"POST": Perm.TEAM_APP_VIEW}
    template_name = "patrols/team_choose.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.memberships = team_memberships_for(user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        if not self.memberships:
            raise PermissionDenied  # only members of a team choose one
        current = current_membership(
            user=self.request.user, session=self.request.session, memberships=self.memberships
        )
        return super().get_context_data(
            client=self.request.organisation,
            memberships=self.memberships,
            current=current,
            **kwargs,
        )

    def post(self, request, org):
        if not self.memberships:
            raise PermissionDenied
        value = request.POST.get("programme", "")
        chosen = next((m for m in self.memberships if str(m.programme_id) == value), None)
        if chosen is None:
            messages.error(request, _("Choose one of your teams."))
            return redirect("patrols:team_choose", org=org)
        request.session[TEAM_PROGRAMME_SESSION_KEY] = chosen.programme_id
        return redirect("patrols:team_home", org=org)


class ManifestView(PublicMixin, View):
    """The web app manifest, in the client's colour, so members can install the app."""

    def get(self, request, org):
        client = request.organisation
        data = {
            "name": f"BewonersTeam {client.name}",
            "short_name": "BewonersTeam",
            "start_url": f"/team/{client.slug}/",
            "scope": "/team/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": client.brand_colour,
            "lang": "nl",
            "icons": [
                {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            ],
        }
        return JsonResponse(data, content_type="application/manifest+json")


class ServiceWorkerView(PublicMixin, View):
    """The service worker, served from /team/ so that it may control the phone app's pages."""

    def get(self, request):
        path = finders.find("js/team-sw.js")
        with open(path, encoding="utf-8") as fh:
            body = fh.read()
        body = body.replace(
            "__STATIC_ASSETS__",
            ",".join(
                f'"{static(p)}"'
                for p in (
                    "vendor/bootstrap/css/bootstrap.min.css",
                    "css/app.css",
                    "vendor/bootstrap/js/bootstrap.bundle.min.js",
                    "vendor/htmx/htmx.min.js",
                    "vendor/leaflet/leaflet.js",
                    "vendor/leaflet/leaflet.css",
                    "vendor/leaflet/images/marker-icon.png",
                    "vendor/leaflet/images/marker-shadow.png",
                    "js/app.js",
                    "js/team-app.js",
                )
            ),
        )
        body = body.replace(
            "__OFFLINE_PAGE__", json.dumps(render_to_string("patrols/offline.html").strip())
        )
        response = HttpResponse(body, content_type="application/javascript")
        response["Cache-Control"] = "no-cache"
        return response

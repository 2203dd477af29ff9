"""The hand-off's pages: the client's settings (channels and routes) in the portal, and the
inbound status endpoint the client's own system posts to.

The inbound endpoint is public (no session: the client's system is not a user) and exempt
from CSRF (no cookie is involved); it is authenticated by the channel's HMAC signature, per
message, with a timestamp and replay check (patrols.handoff.inbound). The URL names the
organisation, so the tenancy middleware scopes the request to it: another tenant's channel
or signal is simply not found (404).
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from programmes.links import reverse_absolute
from programmes.mixins import ClientMixin, PermissionMixin, PublicMixin
from programmes.permissions import Perm
from programmes.views.common import form_errors_to

from ..selectors import handoff as selectors
from ..services import handoff as services
from ..services import open311 as open311_services
from . import inbound, secrets
from .forms import ChannelForm, DepartmentForm, RouteForm, ServiceMapForm, StatusMapForm


class _HandoffSettingsMixin(ClientMixin, PermissionMixin):
    # The hand-off's set-up has a permission of its own (channels carry secrets).
    permission = Perm.HANDOFF_MANAGE

    def route_form(self, data=None):
        client = self.get_client()
        programmes, categories, colleagues = selectors.route_choices(
            user=self.request.user, organisation=client
        )
        return RouteForm(
            data,
            channels=selectors.channels_for(organisation=client),
            programmes=programmes,
            categories=categories,
            colleagues=colleagues,
            departments=selectors.departments_for(organisation=client),
        )

    def save_mapping(self, form, save, *, saved: str, not_saved: str):
        """Validate a mapping form and `save()` it; either way say so and go back to the
        settings. `not_saved` holds %(problems)s for what the form or the service refused."""
        problems = ""
        if form.is_valid():
            try:
                save()
            except ValidationError as error:
                problems = " ".join(error.messages)
        else:
            problems = " ".join(str(m) for errors in form.errors.values() for m in errors)
        if problems:
            messages.error(self.request, not_saved % {"problems": problems})
        else:
            messages.success(self.request, saved)
        return self.back()

    def department_form(self, data=None):
        client = self.get_client()
        _programmes, _categories, colleagues = selectors.route_choices(
            user=self.request.user, organisation=client
        )
        return DepartmentForm(data, colleagues=colleagues)

    def back(self):
        return redirect("patrols:portal_handoff", org=self.get_client().slug)


class HandoffSettingsView(_HandoffSettingsMixin, TemplateView):
    """The client's channels and routes; connecting a channel shows its secret this once."""

    template_name = "patrols/handoff_settings.html"
    method_permissions = {"POST": Perm.HANDOFF_MANAGE}

    def get_context_data(self, channel_form=None, route_form=None, **kwargs):
        client = self.get_client()
        channels = list(selectors.channels_for(organisation=client))
        categories = None
        if any(c.kind == "open311" and c.services for c in channels):
            categories = selectors.mappable_categories(organisation=client)

        def map_form(channel):
            if channel.kind == "webhook":
                return StatusMapForm(channel=channel)
            if channel.kind == "open311" and channel.services:
                return ServiceMapForm(channel=channel, categories=categories)
            return None

        return super().get_context_data(
            client=client,
            channels=[(channel, map_form(channel)) for channel in channels],
            routes=selectors.routes_for_client(organisation=client),
            departments=selectors.departments_for(organisation=client),
            department_form=self.department_form(),
            channel_form=channel_form or ChannelForm(),
            route_form=route_form or self.route_form(),
            **kwargs,
        )

    def post(self, request, org):
        form = ChannelForm(request.POST)
        if form.is_valid():
            try:
                channel, secret = services.handoff_channel_create(
                    actor=request.user,
                    organisation=self.get_client(),
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    target=form.cleaned_data["target"],
                    api_key=form.cleaned_data["api_key"],
                    jurisdiction_id=form.cleaned_data["jurisdiction_id"],
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                # The secret is in this answer only (not stored readable, not in a redirect).
                return self.render_to_response(
                    self.get_context_data(
                        new_channel=channel,
                        new_secret=secret,
                        new_inbound_url=reverse_absolute(
                            "patrols:handoff_inbound",
                            kwargs={"org": channel.organisation.slug, "channel_pk": channel.pk},
                        ),
                    )
                )
        return self.render_to_response(self.get_context_data(channel_form=form))


class HandoffChannelActiveView(_HandoffSettingsMixin, View):
    method_permissions = {"POST": Perm.HANDOFF_MANAGE}

    def post(self, request, org, channel_pk):
        channel = selectors.get_channel_for(organisation=self.get_client(), pk=channel_pk)
        active = request.POST.get("active") == "1"
        services.handoff_channel_set_active(actor=request.user, channel=channel, active=active)
        messages.success(
            request,
            _("The channel is switched on.") if active else _("The channel is switched off."),
        )
        return self.back()


class HandoffChannelMapView(_HandoffSettingsMixin, View):
    """Which of the client's own statuses mean which of ours, for a webhook channel."""

    method_permissions = {"POST": Perm.HANDOFF_MANAGE}

    def post(self, request, org, channel_pk):
        channel = selectors.get_channel_for(organisation=self.get_client(), pk=channel_pk)
        form = StatusMapForm(request.POST, channel=channel)
        return self.save_mapping(
            form,
            lambda: services.handoff_channel_map_statuses(
                actor=request.user, channel=channel, mapping=form.mapping()
            ),
            saved=_("The statuses were saved."),
            not_saved=_("The statuses were not saved: %(problems)s"),
        )


class HandoffServicesFetchView(_HandoffSettingsMixin, View):
    """Fetch an Open311 channel's service list from the client's system, for the mapping."""

    method_permissions = {"POST": _HandoffSettingsMixin.permission}

    def post(self, request, org, channel_pk):
        channel = selectors.get_channel_for(organisation=self.get_client(), pk=channel_pk)
        try:
            found = open311_services.open311_services_fetch(actor=request.user, channel=channel)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                ngettext(
                    "Your system offers %(count)d service: choose it per category.",
                    "Your system offers %(count)d services: choose one per category.",
                    len(found),
                )
                % {"count": len(found)},
            )
        return self.back()


class HandoffServicesMapView(_HandoffSettingsMixin, View):
    """Which Open311 service each of our categories is filed under."""

    method_permissions = {"POST": _HandoffSettingsMixin.permission}

    def post(self, request, org, channel_pk):
        client = self.get_client()
        channel = selectors.get_channel_for(organisation=client, pk=channel_pk)
        form = ServiceMapForm(
            request.POST,
            channel=channel,
            categories=selectors.mappable_categories(organisation=client),
        )
        return self.save_mapping(
            form,
            lambda: open311_services.open311_services_map(
                actor=request.user, channel=channel, mapping=form.mapping()
            ),
            saved=_("The services were saved."),
            not_saved=_("The services were not saved: %(problems)s"),
        )


class HandoffRouteCreateView(_HandoffSettingsMixin, View):
    method_permissions = {"POST": Perm.HANDOFF_MANAGE}

    def post(self, request, org):
        form = self.route_form(request.POST)
        if form.is_valid():
            try:
                services.category_route_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The route was added."))
                return self.back()
        problems = " ".join(str(m) for errors in form.errors.values() for m in errors)
        messages.error(request, _("The route was not added: %(problems)s") % {"problems": problems})
        return self.back()


class HandoffDepartmentCreateView(_HandoffSettingsMixin, View):
    """A department of the client, to route signals to."""

    method_permissions = {"POST": Perm.HANDOFF_MANAGE}

    def post(self, request, org):
        form = self.department_form(request.POST)
        if form.is_valid():
            try:
                services.department_create(
                    actor=request.user, organisation=self.get_client(), **form.cleaned_data
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The department was added."))
                return self.back()
        problems = " ".join(str(m) for errors in form.errors.values() for m in errors)
        messages.error(
            request, _("The department was not added: %(problems)s") % {"problems": problems}
        )
        return self.back()


class HandoffDepartmentDeleteView(_HandoffSettingsMixin, View):
    method_permissions = {"POST": Perm.HANDOFF_MANAGE}

    def post(self, request, org, department_pk):
        department = selectors.get_department_for(organisation=self.get_client(), pk=department_pk)
        services.department_delete(actor=request.user, department=department)
        messages.success(request, _("The department was removed."))
        return self.back()


class HandoffRouteDeleteView(_HandoffSettingsMixin, View):
    method_permissions = {"POST": Perm.HANDOFF_MANAGE}

    def post(self, request, org, route_pk):
        route = selectors.get_route_for(organisation=self.get_client(), pk=route_pk)
        services.category_route_delete(actor=request.user, route=route)
        messages.success(request, _("The route was removed."))
        return self.back()


class HandoffRetryView(ClientMixin, PermissionMixin, View):
    """Send a failed hand-off again, from the signal's page (once the other side is fixed)."""

    permission = Perm.SIGNAL_VIEW
    method_permissions = {"POST": Perm.SIGNAL_HANDLE}

    def post(self, request, org, signal_pk, handoff_pk):
        handoff = selectors.get_handoff_for(
            organisation=self.get_client(), signal_pk=signal_pk, pk=handoff_pk
        )
        if handoff.state == handoff.State.FAILED:
            services.handoff_retry(actor=request.user, handoff=handoff)
            messages.success(request, _("The signal is handed over again."))
        return redirect("patrols:portal_signal", org=org, signal_pk=signal_pk)


def _answer(message: str, code: int, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=code)


@method_decorator(csrf_exempt, name="dispatch")
class HandoffInboundApi(PublicMixin, View):
    """A status update from the client's system for a signal handed to it."""

    http_method_names = ["post"]

    def post(self, request, org, channel_pk):
        channel = selectors.get_inbound_channel(pk=channel_pk)
        if channel is None:
            return _answer(_("There is no such channel."), 404)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > inbound.MAX_BODY_BYTES:
            return _answer(_("The message is too large."), 413)
        timestamp = request.headers.get(secrets.TIMESTAMP_HEADER, "")
        signature = request.headers.get(secrets.SIGNATURE_HEADER, "")
        if not inbound.timestamp_fresh(timestamp):
            return _answer(_("The timestamp is missing or more than five minutes off."), 401)
        try:
            body = request.body
        except RawPostDataException:  # a form post, read as form fields already
            return _answer(_("The message is not valid JSON."), 400)
        if len(body) > inbound.MAX_BODY_BYTES:
            return _answer(_("The message is too large."), 413)
        try:
            secret = secrets.decrypt(channel.secret_encrypted)
        except secrets.SecretUnavailable:
            return _answer(_("This channel cannot check signatures; connect it again."), 401)
        if not secrets.signature_matches(secret, timestamp, body, signature):
            return _answer(_("The signature is not right."), 401)
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return _answer(_("The message is not valid JSON."), 400)
        if not isinstance(data, dict):
            return _answer(_("The message must be a JSON object."), 400)
        if not services.inbound_signature_record(channel=channel, signature=signature):
            return _answer(_("This message was received before."), 409)
        signal_id = inbound.signal_id_of(data)
        handoff = selectors.handoff_of(channel=channel, signal_id=signal_id) if signal_id else None
        if handoff is None:
            return _answer(_("There is no such signal for this channel."), 404)
        remote = data.get("status")
        status = inbound.map_status(channel, remote) if isinstance(remote, str) else None
        if status is None:
            return _answer(_("This status is not known."), 400, status=str(remote)[:100])
        note = data.get("note") or ""
        if not isinstance(note, str):
            return _answer(_("The note must be text."), 400)
        try:
            services.handoff_status_receive(
                channel=channel,
                handoff=handoff,
                remote_status=remote,
                status=status,
                note="".join(ch for ch in note if ch == "\n" or ch.isprintable()),
            )
        except ValidationError as error:
            return _answer(" ".join(error.messages), 409)
        handoff.signal.refresh_from_db(fields=["status"])
        return JsonResponse(
            {"signal": handoff.signal_id, "status": handoff.signal.status}, status=200
        )

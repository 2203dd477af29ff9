"""The client's follow-up of signals in the portal: list, map, detail, workflow, photos."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from programmes.mixins import ClientMixin, PermissionMixin
from programmes.permissions import Perm
from programmes.views.common import form_errors_to

from . import selectors, services
from .forms import SignalFilterForm, SignalFollowUpForm
from .models import Signal
from .photos import photo_response


class _SignalsMixin(ClientMixin, PermissionMixin):
    permission = Perm.SIGNAL_VIEW

    def filter_form(self):
        categories, programmes = selectors.signal_filter_choices(
            user=self.request.user, organisation=self.get_client()
        )
        return SignalFilterForm(
            self.request.GET or None, categories=categories, programmes=programmes
        )

    def signals(self):
        qs = selectors.signals_for_client(user=self.request.user, organisation=self.get_client())
        return self.filter_form().filter(qs)


def _point_map(signal: Signal) -> dict | None:
    """The small map of one signal's point; None without a position or a tile server (the page
    then says so in words)."""
    if signal.latitude is None or signal.longitude is None or not settings.MAP_TILE_URL:
        return None
    return {
        "point": [float(signal.latitude), float(signal.longitude)],
        "title": str(signal.category),
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def _count_text(page: selectors.SignalPage) -> str:
    """How many signals match, in words: exact up to the cap, "more than" past it."""
    if page.more_than_cap:
        return _("More than %(n)s signals match the filter.") % {
            "n": number_format(selectors.COUNT_CAP, force_grouping=True)
        }
    return ngettext(
        "%(n)s signal matches the filter.", "%(n)s signals match the filter.", page.count
    ) % {"n": number_format(page.count, force_grouping=True)}


class SignalListView(_SignalsMixin, TemplateView):
    template_name = "patrols/portal_signals.html"

    def get_context_data(self, **kwargs):
        form = self.filter_form()
        get = self.request.GET
        page = selectors.signal_page(
            form.filter(
                selectors.signals_for_client(user=self.request.user, organisation=self.get_client())
            ),
            page=get.get("page"),
            before=get.get("before", "")[:60],
            after=get.get("after", "")[:60],
        )
        # Signals without a street get the nearest known address: one query for the page.
        page.object_list = selectors.with_places(page.object_list)
        query = get.copy()
        for key in ("page", "before", "after"):
            query.pop(key, None)
        return super().get_context_data(
            client=self.get_client(),
            filters=form,
            page=page,
            count_text=_count_text(page),
            numbered_pages=selectors.NUMBERED_PAGES,
            map_points=number_format(selectors.MAP_POINTS, force_grouping=True),
            query=query.urlencode(),
            map_config={
                "data": self.request.path + "map.json?" + query.urlencode(),
                "tiles": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
            },
            **kwargs,
        )


class SignalMapDataView(_SignalsMixin, View):
    """The filtered signals with a position, for the map (the newest 2,000 at most; `limit`
    and `truncated` say so)."""

    def get(self, request, org):
        rows = selectors.signal_map_rows(self.signals())
        base = request.path.rsplit("map.json", 1)[0]
        return JsonResponse(
            {
                "signals": [
                    {
                        "id": r["pk"],
                        "lat": float(r["latitude"]),
                        "lng": float(r["longitude"]),
                        "status": r["status"],
                        "title": r["category__name"],
                        "text": r["description"][:80],
                        "url": f"{base}{r['pk']}/",
                    }
                    for r in rows
                ],
                "limit": selectors.MAP_POINTS,
                "truncated": len(rows) >= selectors.MAP_POINTS,
            }
        )


class SignalDetailView(_SignalsMixin, TemplateView):
    template_name = "patrols/portal_signal.html"
    method_permissions = {"POST": Perm.SIGNAL_HANDLE}

    def get_signal(self) -> Signal:
        return selectors.get_signal_for_client(
            user=self.request.user, organisation=self.get_client(), pk=self.kwargs["signal_pk"]
        )

    def get_context_data(self, form=None, **kwargs):
        (signal,) = selectors.with_places([self.get_signal()])
        can_handle = self.may("POST")
        return super().get_context_data(
            client=self.get_client(),
            signal=signal,
            map_config=_point_map(signal),
            events=selectors.signal_events(signal=signal),
            photos=selectors.signal_photos(signal=signal),
            form=(form or SignalFollowUpForm(signal=signal)) if can_handle else None,
            **kwargs,
        )

    def post(self, request, org, signal_pk):
        signal = self.get_signal()
        form = SignalFollowUpForm(request.POST, signal=signal)
        if form.is_valid():
            try:
                services.signal_transition(
                    actor=request.user,
                    signal=signal,
                    status=form.cleaned_data["status"],
                    text=form.cleaned_data["text"],
                    assigned_to=form.cleaned_data["assigned_to"],
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The signal was updated."))
                return redirect("patrols:portal_signal", org=org, signal_pk=signal.pk)
        return self.render_to_response(self.get_context_data(form=form))


class SignalPhotoView(_SignalsMixin, View):
    """A signal's photo, only for people who may see the signal."""

    def get(self, request, org, signal_pk, photo_pk):
        signal = selectors.get_signal_for_client(
            user=request.user, organisation=self.get_client(), pk=signal_pk
        )
        return photo_response(signal=signal, pk=photo_pk)

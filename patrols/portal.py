"""The client's follow-up of signals in the portal: list, map, detail, workflow, photos."""

from html import escape

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from programmes.closure import refuse_if_closed
from programmes.dates import datetime_formatter
from programmes.mixins import ClientMixin, PermissionMixin
from programmes.models import Programme
from programmes.permissions import Perm
from programmes.selectors.sharing import name_for, shared_contact_ids
from programmes.views.common import form_errors_to

from . import selectors, services
from .forms import SignalFilterForm, SignalFollowUpForm
from .models import Signal
from .photo_views import PortalPhotoReviewView
from .photos import photo_response
from .rows import signal_filter_html
from .selectors.portal import for_signal_list
from .workflow import CLOSED, Status


class _SignalsMixin(ClientMixin, PermissionMixin):
    permission = Perm.SIGNAL_VIEW

    def filter_form(self):
        # The options' labels need these columns only (a category's name: a top-level one).
        categories, programmes = selectors.signal_filter_lists(
            user=self.request.user, organisation=self.get_client()
        )
        return SignalFilterForm(
            self.request.GET or None,
            categories=categories,
            programmes=programmes,
            user=self.request.user,
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


# The badge colour of each status in the list (any other: "info").
_BADGES = {"resolved": "success", "new": "primary", "not_applicable": "secondary"}


def _place(s: Signal) -> str:
    """Where the signal is, in words: as patrols/includes/signal_place.html says it."""
    if s.street:
        return f"{s.street} {s.house_number}" if s.house_number else s.street
    if s.near_street:
        if s.near_number:
            return _("near %(street)s %(number)s (approximately)") % {
                "street": s.near_street,
                "number": s.near_number,
            }
        return _("near %(street)s (approximately)") % {"street": s.near_street}
    if s.latitude is not None:
        return _("Location on the map")
    return _("Place not given")


def _short(text: str, length: int = 60) -> str:
    """`text` as the truncatechars filter shortens it (most descriptions fit as they are)."""
    return text if len(text) <= length else Truncator(text).chars(length)


def list_rows(signals, *, base: str) -> tuple[list[Signal], str]:
    """The page's signals (of `for_signal_list`, each with its nearest address,
    `with_places`) and their table rows as HTML. Written here rather than as a template loop:
    at 50 rows the template engine's cost per variable, tag and filter was most of the page's
    time. Every value is escaped (`escape`, as the template's autoescape); `base` is the
    list's URL (a signal's page is `<base><pk>/`)."""
    today = timezone.localdate()
    moment, day = datetime_formatter("j N H:i"), datetime_formatter("j N")
    statuses = {value: str(label) for value, label in Status.choices}
    urgent = f' <span class="badge text-bg-danger">{escape(_("urgent"))}</span>'
    overdue = f" · <strong>{escape(_('overdue'))}</strong>"
    rows = selectors.with_places(signals)
    link = escape(base)
    html = []
    for s in rows:
        late = s.status not in CLOSED and s.due_date < today  # as Signal.is_overdue
        reported = escape(moment(s.reported_at)) + (urgent if s.urgent else "")
        late_mark = overdue if late else ""
        status = escape(statuses.get(s.status, s.status))
        # What SignalCategory and User say of themselves (__str__), from the row's values.
        category = s.category_name
        if s.parent_name is not None:
            category = f"{s.parent_name} › {category}"
        person = s.assigned_name or s.assigned_email if s.assigned_to_id else ""
        assigned = f'<div class="small">{escape(person)}</div>' if person else ""
        html.append(
            ('<tr class="table-danger">' if late else "<tr>")
            + f'<td class="text-nowrap d-none d-md-table-cell">{reported}</td>'
            f'<td><a href="{link}{s.pk}/">{escape(category)}</a>'
            f'<div class="small text-body-secondary">{escape(_short(s.description))}</div>'
            # On a phone the date and due columns are hidden: the same facts, in one line.
            f'<div class="small d-md-none">{reported}{late_mark}</div></td>'
            f'<td>{escape(_place(s))}\n<div class="small text-body-secondary">'
            f"{escape(s.neighbourhood)}</div></td>"
            f'<td><span class="badge text-bg-{_BADGES.get(s.status, "info")}">{status}</span>'
            f"{assigned}</td>"
            f'<td class="text-nowrap d-none d-md-table-cell">{escape(day(s.due_date))}'
            f"{late_mark}</td></tr>"
        )
    return rows, mark_safe("\n".join(html))  # noqa: S308 - every value escaped above


def _options(field) -> str:
    """A select's options as HTML, selected as Django's Select marks the bound value (an
    unknown value selects none, no value selects the empty option)."""
    value = field.value()
    current = "" if value is None else str(value)
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<option value="{escape(str(v))}"{" selected" if str(v) == current else ""}>'
            f"{escape(str(label))}</option>"
            for v, label in field.field.choices
        )
    )


class SignalListView(_SignalsMixin, TemplateView):
    template_name = "patrols/portal_signals.html"

    def get_context_data(self, **kwargs):
        client = self.get_client()
        user = self.request.user
        if user.organisation_id == client.pk:  # the navigation's portal link: no second query
            user.organisation = client
        form = self.filter_form()
        get = self.request.GET
        before, after = get.get("before", "")[:60], get.get("after", "")[:60]
        if not before and not after and not form.narrows():
            # No filter and no link past the numbered pages: how the list opens, by
            # statements compiled once.
            page = selectors.unfiltered_signal_page(
                user=user, organisation=client, page=get.get("page")
            )
        else:
            page = selectors.signal_page(
                form.filter(selectors.signals_for_client(user=user, organisation=client)),
                read=for_signal_list,
                page=get.get("page"),
                before=before,
                after=after,
            )
        # Signals without a street get the nearest known address: one query for the page.
        base = reverse("patrols:portal_signals", kwargs={"org": client.slug})
        page.object_list, rows = list_rows(page.object_list, base=base)
        fields, flags = signal_filter_html(form, _options)
        query = get.copy()
        for key in ("page", "before", "after"):
            query.pop(key, None)
        return super().get_context_data(
            client=client,
            filters=form,
            # The filter form's fields as plain markup (patrols.rows).
            filter_fields=fields,
            filter_flags=flags,
            page=page,
            rows=rows,
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
        reviewer = PortalPhotoReviewView.allows(self.request.user)
        events = list(selectors.signal_events(signal=signal))
        shared = shared_contact_ids(programme=signal.programme)
        for event in events:  # a member by first name to the client, unless they share more
            event.actor_label = name_for(
                person=event.actor, viewer=self.request.user, shared=shared
            )
        photos = list(selectors.signal_photos(signal=signal, released_only=not reviewer))
        return super().get_context_data(
            client=self.get_client(),
            signal=signal,
            map_config=_point_map(signal),
            events=events,
            photos=photos,
            may_review_photos=reviewer,
            # The client's staff see the reviewed photos only: they are told how many wait.
            photos_waiting=0
            if reviewer
            else selectors.signal_photos(signal=signal).count() - len(photos),
            confirmations=selectors.signal_confirmations(signal=signal),
            form=(form or SignalFollowUpForm(signal=signal)) if can_handle else None,
            **kwargs,
        )

    def post(self, request, org, signal_pk):
        signal = self.get_signal()
        refuse_if_closed(Programme(pk=signal.programme_id))  # its follow-up is archived too
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
        return photo_response(
            signal=signal,
            pk=photo_pk,
            released_only=not PortalPhotoReviewView.allows(request.user),
            reader=request.user,
            request=request,
        )

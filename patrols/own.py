"""The team member's own records in the phone app: the signals they reported (and where each
one stands) and the documents made for them (their certificate)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from programmes.input import file_response
from programmes.mixins import PermissionMixin
from programmes.permissions import Perm
from programmes.services import document_retry

from . import selectors, services
from .photos import photo_response


class _OwnMixin(PermissionMixin):
    """A team member's own papers and signals: only for the member, not the staff (the role
    table gives `OWN_RECORDS_VIEW` to team members alone)."""

    permission = Perm.OWN_RECORDS_VIEW


class OwnDocumentRetryView(_OwnMixin, View):
    """Make the team member's own document (their certificate) again after it failed."""

    method_permissions = {"POST": Perm.OWN_RECORDS_VIEW}
    http_method_names = ["post"]

    def post(self, request, org, document_pk):
        document = selectors.get_own_document(user=request.user, pk=document_pk)
        document_retry(actor=request.user, document=document)
        messages.info(request, _("The PDF is being made; it appears here when it is ready."))
        return redirect("patrols:team_home", org=org)


class OwnDocumentView(_OwnMixin, View):
    """A document made for the team member (their certificate): only its owner downloads it."""

    def get(self, request, org, document_pk):
        document = selectors.get_own_document(user=request.user, pk=document_pk, ready=True)
        return file_response(
            document.file,
            as_attachment=True,
            filename=document.download_name,
            content_type="application/pdf",
        )


class MySignalsView(_OwnMixin, TemplateView):
    """The member's own signals ("My signals") and where each one stands, newest first."""

    template_name = "patrols/my_signals.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.own_signals(user=self.request.user), self.paginate_by)
        page = page.get_page(self.request.GET.get("page"))
        changed = selectors.changed_signal_ids(user=self.request.user)
        confirmed = selectors.confirmation_counts(signals=page.object_list)
        for signal in page.object_list:
            signal.changed = signal.pk in changed
            signal.confirmed = confirmed.get(signal.pk, 0)
        return super().get_context_data(
            client=self.request.organisation,
            page=page,
            fetched_at=timezone.now(),
            **kwargs,
        )


class MySignalView(_OwnMixin, TemplateView):
    """One of the member's signals: its status history, the client's notes, photos, place."""

    template_name = "patrols/my_signal.html"

    def get_context_data(self, **kwargs):
        signal = selectors.get_own_signal(user=self.request.user, pk=self.kwargs["signal_pk"])
        (signal,) = selectors.with_places([signal])
        events = list(selectors.signal_history_for_member(signal=signal))
        notes = [e for e in events if e.text and e.actor_id != self.request.user.pk]
        # Looked at: the notices of its new status are read, and it is no longer marked new.
        services.signal_notices_read(user=self.request.user, signal=signal)
        return super().get_context_data(
            client=self.request.organisation,
            signal=signal,
            events=events,
            last_note=notes[-1] if notes else None,
            handed_over_at=selectors.signal_handed_over_at(signal=signal),
            confirmed=selectors.confirmation_counts(signals=[signal]).get(signal.pk, 0),
            photos=selectors.signal_photos(signal=signal),
            fetched_at=timezone.now(),
            **kwargs,
        )


class MySignalPhotoView(_OwnMixin, View):
    """A photo of the member's own signal, for no one else."""

    def get(self, request, org, signal_pk, photo_pk):
        signal = selectors.get_own_signal(user=request.user, pk=signal_pk)
        return photo_response(signal=signal, pk=photo_pk)

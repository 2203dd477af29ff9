"""The team member's own records in the phone app: the signals they reported (and where each
one stands), the documents made for them (their certificate) and their membership (a pause,
a request to stop)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from programmes.input import file_response
from programmes.mixins import PermissionMixin
from programmes.permissions import Perm
from programmes.services import (
    document_retry,
    membership_pause,
    membership_resume,
    membership_stop_request,
)
from programmes.team_forms import NoteForm, PauseForm, StopRequestForm

from . import selectors, services
from .photos import photo_response
from .views import _MembershipMixin


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


class MembershipView(_MembershipMixin, PermissionMixin, TemplateView):
    """The member's own membership in the app: pause (a holiday, until a date), end the
    pause early, or tell the project leader they want to stop (who then records the leave)."""

    permission = Perm.TEAM_APP_VIEW
    method_permissions = {"POST": Perm.TEAM_APP_VIEW}
    template_name = "patrols/membership.html"

    def get(self, request, *args, **kwargs):
        if self.member is None:  # staff with the app's permission, not on a team
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def get_context_data(self, pause_form=None, stop_form=None, **kwargs):
        return super().get_context_data(
            client=self.request.organisation,
            member=self.member,
            programme=self.member.programme if self.member else None,
            pause_form=pause_form or PauseForm(),
            stop_form=stop_form or StopRequestForm(),
            **kwargs,
        )

    def post(self, request, org):
        member = self.member
        if member is None:
            raise PermissionDenied
        action = request.POST.get("action", "")
        forms = {"pause": PauseForm, "resume": NoteForm, "stop": StopRequestForm}
        form = forms.get(action, NoteForm)(request.POST)
        if action in forms and form.is_valid():
            data = form.cleaned_data
            try:
                if action == "pause":
                    membership_pause(
                        actor=request.user,
                        member=member,
                        until=data["until"],
                        reason=data["reason"],
                    )
                    messages.success(
                        request,
                        _("You are paused until and including %(date)s. Enjoy your break!")
                        % {"date": date_format(data["until"], "j F Y")},
                    )
                elif action == "resume":
                    membership_resume(actor=request.user, member=member, reason=data["reason"])
                    messages.success(request, _("Welcome back: you can sign up for rounds again."))
                else:
                    membership_stop_request(
                        actor=request.user, member=member, message=data["message"]
                    )
                    messages.success(
                        request,
                        _("Your project leader has been told and will contact you."),
                    )
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                return redirect("patrols:team_membership", org=org)
        context = {"pause_form": form} if action == "pause" else {"stop_form": form}
        if action not in forms:
            messages.error(request, _("Choose what to do."))
            return redirect("patrols:team_membership", org=org)
        return self.render_to_response(self.get_context_data(**context))

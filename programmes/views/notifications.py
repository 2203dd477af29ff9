"""A person's notifications: the list (unread first, mark read), their choices per kind, and
the one-click unsubscribe link of every notification mail, which works without a login."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from ..mixins import PermissionMixin, PublicMixin
from ..models.base import TIME_ZONES
from ..models.notifications import MODE_CHOICES
from ..notification_kinds import DIGEST, notification_kind_label
from ..pagination import paginate
from ..permissions import Perm
from ..selectors.notifications import get_notification_for, notifications_for, preferences_for
from ..services import notifications as service

PER_PAGE = 25
HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class NotificationListView(PermissionMixin, View):
    """My notifications, unread first; a post marks one read (and opens what it is about) or
    all of them. Another person's notification is a 404."""

    permission = Perm.OWN_NOTIFICATIONS
    method_permissions = {"POST": Perm.OWN_NOTIFICATIONS}

    def get(self, request):
        page = paginate(request, notifications_for(user=request.user), per_page=PER_PAGE)
        return render(request, "programmes/notifications.html", {"page": page})

    def post(self, request):
        if "all" in request.POST:
            count = service.mark_all_read(user=request.user)
            if count:
                messages.success(request, _("All notifications are marked as read."))
            return redirect("notification_list")
        if "notification" not in request.POST:
            return redirect("notification_list")
        notification = get_notification_for(user=request.user, pk=request.POST["notification"])
        service.notification_mark_read(user=request.user, notification=notification)
        target = notification.url
        if request.POST.get("open") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(target)
        return redirect("notification_list")


class PreferencesForm(forms.Form):
    """One row of fields per kind the person may have: in the app, by mail, when, at what
    hour. Built from the registered kinds."""

    time_zone = forms.ChoiceField(
        label=gettext_lazy("Your time zone"),
        choices=TIME_ZONES,
        help_text=gettext_lazy("Your daily digest comes at the hour you chose, in this time zone."),
    )

    def __init__(self, *args, kinds, time_zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["time_zone"].initial = time_zone
        for kind, choice in kinds:
            code = kind.code
            self.fields[f"{code}-in_app"] = forms.BooleanField(
                label=gettext_lazy("In the app"), required=False, initial=choice.in_app
            )
            self.fields[f"{code}-email"] = forms.BooleanField(
                label=gettext_lazy("By e-mail"), required=False, initial=choice.email
            )
            if kind.digest:
                self.fields[f"{code}-mode"] = forms.ChoiceField(
                    label=gettext_lazy("When"), choices=MODE_CHOICES, initial=choice.mode
                )
                self.fields[f"{code}-digest_hour"] = forms.TypedChoiceField(
                    label=gettext_lazy("Digest at"),
                    choices=HOURS,
                    coerce=int,
                    initial=choice.digest_hour,
                )

    def rows(self):
        """Per kind: the kind and its bound fields, for the template's table."""
        for kind, _choice in self.kinds:
            code = kind.code
            yield {
                "kind": kind,
                "in_app": self[f"{code}-in_app"],
                "email": self[f"{code}-email"],
                "mode": self[f"{code}-mode"] if kind.digest else None,
                "digest_hour": self[f"{code}-digest_hour"] if kind.digest else None,
            }


class NotificationPreferencesView(PermissionMixin, View):
    """What I want to hear and how, per kind my role may have."""

    permission = Perm.OWN_NOTIFICATIONS
    method_permissions = {"POST": Perm.OWN_NOTIFICATIONS}

    def _form(self, data=None):
        kinds = [
            (kind, service.Choice(kind=kind, preference=row))
            for kind, row in preferences_for(user=self.request.user)
        ]
        return PreferencesForm(data, kinds=kinds, time_zone=self.request.user.time_zone)

    def get(self, request):
        return self._page(self._form())

    def post(self, request):
        form = self._form(request.POST)
        if not form.is_valid():
            return self._page(form)
        service.time_zone_set(user=request.user, time_zone=form.cleaned_data["time_zone"])
        for kind, _choice in form.kinds:
            code = kind.code
            service.preferences_set(
                user=request.user,
                kind=code,
                in_app=form.cleaned_data[f"{code}-in_app"],
                email=form.cleaned_data[f"{code}-email"],
                mode=form.cleaned_data.get(f"{code}-mode"),
                digest_hour=form.cleaned_data.get(f"{code}-digest_hour"),
            )
        messages.success(request, _("Your choices are saved."))
        return redirect("notification_preferences")

    def _page(self, form):
        return render(
            self.request,
            "programmes/notification_preferences.html",
            {"form": form, "digest": DIGEST},
        )


@method_decorator(csrf_exempt, name="dispatch")
class NotificationUnsubscribeView(PublicMixin, View):
    """Switch one kind's mail off from the link in the mail, without a login.

    The signed token is the guard (it names the person and the kind and cannot be changed
    without the site's secret), so the post needs no CSRF token: mail programs post to this
    address for their own "unsubscribe" button (RFC 8058, List-Unsubscribe-Post). Opening the
    link shows one button rather than switching off at once, because mail scanners open
    links by themselves. The token stays in the path (no session hand-off as for
    invitations): it can do nothing but switch one kind of mail off for one person.
    """

    def get(self, request, token):
        read = service.unsubscribe_read(token)
        if read is None:
            return self._invalid(request)
        return render(
            request,
            "programmes/notification_unsubscribe.html",
            {"kind_label": notification_kind_label(read[1]), "done": False},
        )

    def post(self, request, token):
        result = service.unsubscribe(token=token)
        if result is None:
            return self._invalid(request)
        _user, kind = result
        return render(
            request,
            "programmes/notification_unsubscribe.html",
            {"kind_label": kind.label, "done": True},
        )

    def _invalid(self, request):
        return render(request, "programmes/notification_unsubscribe_invalid.html", status=400)

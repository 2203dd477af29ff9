"""The team over time, for the project leader: who is on the team, paused or gone (the "Team"
tab), and one member's membership with its history, where they are paused, resumed, recorded
as having left, or brought back."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from .. import selectors, services
from ..mixins import ProgrammeMixin
from ..pagination import paginate
from ..permissions import Perm
from ..team_forms import GearReturnedForm, LeaveForm, NoteForm, PauseForm
from ..workflow import MembershipState, allowed_membership_next


class TeamView(ProgrammeMixin, TemplateView):
    """Everyone who is or was on the team, with their membership: active, paused until a
    date, left (when, why, gear), and who asked to stop."""

    template_name = "programmes/team.html"

    def get_context_data(self, **kwargs):
        programme = self.get_programme()
        page = paginate(self.request, selectors.team_rows(programme=programme))
        return super().get_context_data(
            page=page,
            stop_requests=sum(1 for m in page.object_list if m.stop_requested_at),
            **kwargs,
        )


# The forms of the member page: the posted `action` names one; each is a move of the table.
ACTIONS = {
    "pause": PauseForm,
    "resume": NoteForm,
    "leave": LeaveForm,
    "rejoin": NoteForm,
    "gear": GearReturnedForm,
}


class TeamMemberView(ProgrammeMixin, TemplateView):
    """One member's membership: the moves the table allows now, each a small form, and the
    history of the steps taken (newest first)."""

    template_name = "programmes/team_member.html"
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_member(self):
        if not hasattr(self, "_member"):
            self._member = selectors.get_team_member_for(
                programme=self.get_programme(), pk=self.kwargs["member_pk"]
            )
        return self._member

    def get_context_data(self, forms=None, **kwargs):
        member = self.get_member()
        forms = forms or {}
        allowed = set(allowed_membership_next(member.state))
        can = self.may("POST")
        return super().get_context_data(
            member=member,
            history=paginate(self.request, selectors.membership_history(member=member)),
            can_manage=can,
            pause_form=forms.get("pause") or PauseForm(initial={"until": member.paused_until}),
            leave_form=forms.get("leave") or LeaveForm(initial={"left_on": timezone.localdate()}),
            note_form=NoteForm(),
            may_pause=can and MembershipState.PAUSED in allowed,
            may_resume=can and member.state == MembershipState.PAUSED,
            may_leave=can and MembershipState.LEFT in allowed,
            may_rejoin=can and member.state == MembershipState.LEFT,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        form_class = ACTIONS.get(action)
        if form_class is None:
            messages.error(request, _("Choose what to do."))
            return redirect(request.path)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                self.act(action, form.cleaned_data)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(forms={action: form}), status=200)

    def act(self, action: str, data: dict) -> None:
        member, actor = self.get_member(), self.request.user
        name = member.user.name
        if action == "pause":
            services.membership_pause(
                actor=actor, member=member, until=data["until"], reason=data["reason"]
            )
            messages.success(
                self.request,
                _("%(name)s is paused until and including %(date)s.")
                % {"name": name, "date": date_format(data["until"], "j F Y")},
            )
        elif action == "resume":
            services.membership_resume(actor=actor, member=member, reason=data["reason"])
            messages.success(self.request, _("%(name)s is active again.") % {"name": name})
        elif action == "leave":
            services.membership_leave(
                actor=actor,
                member=member,
                left_on=data["left_on"],
                reason=data["reason"],
                gear_returned=data["gear_returned"],
            )
            messages.success(self.request, _("%(name)s has left the team.") % {"name": name})
        elif action == "rejoin":
            services.membership_rejoin(actor=actor, member=member, reason=data["reason"])
            messages.success(self.request, _("%(name)s is back on the team.") % {"name": name})
        else:
            services.membership_gear_returned(
                actor=actor, member=member, returned=data["gear_returned"]
            )
            messages.success(self.request, _("The gear was saved."))

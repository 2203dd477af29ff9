"""The team's notice board for the project leader: write a message to the whole team or to
chosen members (on the board in the app and by mail), and see what was sent, to how many, how
far the mail got and how many read it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from ..mixins import ProgrammeMixin
from ..models import TeamMessage
from ..pagination import paginate
from ..permissions import Perm
from ..selectors.board import team_messages_of
from ..selectors.bulk import bulk_job_latest
from ..selectors.roster import roster
from ..services.board import TEAM_MESSAGE_MAIL, team_message_send
from .common import form_errors_to


class TeamMessageForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("To"),
        choices=TeamMessage.Audience.choices,
        initial=TeamMessage.Audience.TEAM,
        widget=forms.RadioSelect,
    )
    members = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Chosen members"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Only when the message is for chosen members."),
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(m.user_id, m.user.name) for m in team]

    def clean(self):
        data = super().clean()
        if data.get("audience") == TeamMessage.Audience.CHOSEN and not data.get("members"):
            self.add_error("members", _("Choose at least one team member."))
        return data


class BoardView(ProgrammeMixin, TemplateView):
    """The programme's notice board (a tab): the project leader's messages to the team."""

    permission = Perm.PROGRAMME_MANAGE
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}
    template_name = "programmes/board.html"

    def team(self):
        return list(roster(programme=self.get_programme()).only("user_id", "user__name"))

    def get_context_data(self, form=None, **kwargs):
        programme = self.get_programme()
        return super().get_context_data(
            form=form or TeamMessageForm(team=self.team()),
            page=paginate(self.request, team_messages_of(programme=programme), per_page=20),
            job=bulk_job_latest(programme=programme, kind=TEAM_MESSAGE_MAIL),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        form = TeamMessageForm(request.POST, team=self.team())
        if form.is_valid():
            data = form.cleaned_data
            try:
                message, job = team_message_send(
                    actor=request.user,
                    programme=programme,
                    subject=data["subject"],
                    body=data["body"],
                    audience=data["audience"],
                    members=data["members"],
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                if job is None:
                    n = message.recipients.count()
                    messages.success(
                        request,
                        ngettext(
                            "The message is on the board and is mailed to %(n)s member.",
                            "The message is on the board and is mailed to %(n)s members.",
                            n,
                        )
                        % {"n": n},
                    )
                else:
                    messages.info(
                        request,
                        _("The message is on the board; the mail is being sent, see the progress."),
                    )
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))

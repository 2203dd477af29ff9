"""Forms of the hand-off settings page: connect a channel, route signals to it."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models_handoff import HandoffChannel


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (HandoffChannel.Kind.MAIL_DESK, HandoffChannel.Kind.MAIL_DESK.label),
            (HandoffChannel.Kind.WEBHOOK, HandoffChannel.Kind.WEBHOOK.label),
        ],
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    target = forms.CharField(
        label=_("Address"),
        max_length=300,
        help_text=_(
            "The service desk's e-mail address, or the https address the webhook posts to."
        ),
    )


class RouteForm(forms.Form):
    channel = forms.ModelChoiceField(
        label=pgettext_lazy("hand-off", "Channel"), queryset=HandoffChannel.objects.none()
    )
    programme = forms.ModelChoiceField(label=_("Team"), queryset=None)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=None,
        required=False,
        empty_label=_("Every category"),
        help_text=_("A main category takes its sub-categories along."),
    )
    assign_to = forms.ModelChoiceField(
        label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, channels, programmes, categories, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels.filter(is_active=True)
        self.fields["programme"].queryset = programmes
        self.fields["category"].queryset = categories
        self.fields["assign_to"].queryset = colleagues

    def clean(self):
        data = super().clean()
        category, programme = data.get("category"), data.get("programme")
        if category is not None and programme is not None and category.programme_id != programme.pk:
            self.add_error("category", _("Choose a category of this team."))
        return data

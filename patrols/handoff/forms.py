"""Forms of the hand-off settings page: connect a channel, route signals to it."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programmes.fields import BoundedModelMultipleChoiceField

from ..models_handoff import HandoffChannel
from ..workflow import Status
from . import inbound


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (HandoffChannel.Kind.MAIL_DESK, HandoffChannel.Kind.MAIL_DESK.label),
            (HandoffChannel.Kind.WEBHOOK, HandoffChannel.Kind.WEBHOOK.label),
            (HandoffChannel.Kind.OPEN311, HandoffChannel.Kind.OPEN311.label),
        ],
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    target = forms.CharField(
        label=_("Address"),
        max_length=300,
        help_text=_(
            "The service desk's e-mail address, the https address the webhook posts to, "
            "or the Open311 endpoint's base address (without services.json)."
        ),
    )
    api_key = forms.CharField(
        label=_("API key (Open311)"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Only for Open311: stored encrypted and never shown again."),
    )
    jurisdiction_id = forms.CharField(
        label=_("Jurisdiction (Open311)"),
        max_length=100,
        required=False,
        help_text=_("Only when your Open311 system asks for a jurisdiction_id."),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == HandoffChannel.Kind.OPEN311 and not data.get("api_key", "").strip():
            self.add_error("api_key", _("Give the API key your system gave you."))
        return data


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
    assign_department = forms.ModelChoiceField(
        label=_("Or to a department"), queryset=None, required=False, empty_label=_("None")
    )

    def __init__(self, *args, channels, programmes, categories, colleagues, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels.filter(is_active=True)
        self.fields["programme"].queryset = programmes
        self.fields["category"].queryset = categories
        self.fields["assign_to"].queryset = colleagues
        self.fields["assign_department"].queryset = departments

    def clean(self):
        data = super().clean()
        category, programme = data.get("category"), data.get("programme")
        if category is not None and programme is not None and category.programme_id != programme.pk:
            self.add_error("category", _("Choose a category of this team."))
        return data


class StatusMapForm(forms.Form):
    """Per status of ours, the client's own statuses that mean it (comma-separated)."""

    def __init__(self, *args, channel, **kwargs):
        super().__init__(*args, **kwargs)
        for status in inbound.MAPPED_STATUSES:
            theirs = [k for k, v in channel.status_map.items() if v == status]
            self.fields[status] = forms.CharField(
                label=Status(status).label,
                required=False,
                max_length=500,
                initial=", ".join(theirs),
                help_text=_("Understood already: %(words)s")
                % {"words": ", ".join(inbound.defaults_for(status))},
            )
            # One form per channel on the page: ids of their own.
            self.fields[status].widget.attrs["id"] = f"map-{channel.pk}-{status}"

    def mapping(self) -> dict[str, list[str]]:
        return {
            status: [w.strip() for w in self.cleaned_data.get(status, "").split(",") if w.strip()]
            for status in inbound.MAPPED_STATUSES
        }


class ServiceMapForm(forms.Form):
    """Per category of the client's teams, the Open311 service its signals are filed under."""

    def __init__(self, *args, channel, categories, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Do not send"))] + [
            (s["code"], f"{s['group']}: {s['name']}" if s["group"] else s["name"])
            for s in channel.services
        ]
        self.categories = list(categories)
        for category in self.categories:
            name = f"service-{category.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{category.programme.name}: {category}",
                choices=choices,
                required=False,
                initial=channel.service_map.get(str(category.pk), ""),
            )
            # One form per channel on the page: ids of their own.
            self.fields[name].widget.attrs["id"] = f"service-{channel.pk}-{category.pk}"

    def mapping(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"service-{c.pk}") or "" for c in self.categories}


class DepartmentForm(forms.Form):
    # Beside the channel form on one page: its own names and ids (no second "id_name").
    prefix = "department"

    name = forms.CharField(label=_("Department"), max_length=100)
    members = BoundedModelMultipleChoiceField(
        label=_("Members"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = colleagues

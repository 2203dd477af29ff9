"""Forms of the recruitment app: the public application, the selection, the client's decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Application, Campaign
from .workflow import Stage, next_moves


class ApplicationForm(forms.ModelForm):
    """The public application form. `website` is a honeypot: people do not see it, bots fill
    it in."""

    consent = forms.BooleanField(label=_("I agree"), required=True)
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    class Meta:
        model = Application
        fields = [
            "name",
            "email",
            "phone",
            "street",
            "house_number",
            "postcode",
            "motivation",
            "availability",
        ]
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 4}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }
        help_texts = {
            "phone": _("So we can call you about the information meeting."),
            "availability": _("For example: weekday evenings, Saturday mornings."),
        }

    def __init__(self, *args, postcode_areas: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.postcode_areas = [a.strip() for a in postcode_areas.split(",") if a.strip()]
        self.fields["consent"].error_messages["required"] = _(
            "Without your consent we cannot handle your application."
        )

    def clean_postcode(self):
        value = self.cleaned_data["postcode"].strip().upper().replace(" ", "")
        if not (len(value) == 6 and value[:4].isdigit() and value[4:].isalpha()):
            raise forms.ValidationError(_("Enter a Dutch postcode such as 1234 AB."))
        if self.postcode_areas and value[:4] not in self.postcode_areas:
            raise forms.ValidationError(
                _("This team is for residents of the neighbourhood (postcode %(areas)s).")
                % {"areas": ", ".join(self.postcode_areas)}
            )
        return f"{value[:4]} {value[4:]}"


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["is_open", "intro", "headline", "material_text", "photo", "retention_months"]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "material_text": forms.Textarea(attrs={"rows": 4}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        }

    def clean_photo(self):
        from programmes.images import reencode_image

        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):
            return reencode_image(
                photo,
                max_bytes=10 * 1024 * 1024,
                max_side=2400,
                allowed=("JPEG", "PNG"),
                output="JPEG",
            )
        return photo


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("Next step"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    advice = forms.CharField(
        label=_("Advice for the client"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you propose the applicant; the client reads it."),
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [
            (s, Stage(s).label) for s in next_moves(application.stage, by_client=False)
        ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

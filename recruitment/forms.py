"""Forms of the recruitment app: the public application, the selection, the client's decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.fields import BoundedDatesMixin
from programmes.images import reencode_image

from .models import Application, Campaign, Channel, DoorVisit, HeardVia, Question
from .workflow import Stage, next_moves

# Bootstrap 5's class for each kind of widget; other widgets are text-like: `form-control`.
_WIDGET_CLASSES = {
    forms.CheckboxInput: "form-check-input",
    forms.RadioSelect: "form-check-input",
    forms.CheckboxSelectMultiple: "form-check-input",
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
}


class BootstrapMixin:
    """Bootstrap 5's classes on the form's widgets, with `is-invalid` on a field that has an
    error, so a page renders its fields with `recruitment/includes/field.html`: the same
    markup crispy-forms gives, for a fraction of the rendering time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = _WIDGET_CLASSES.get(type(field.widget), "form-control")
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self._errors:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and "is-invalid" not in widget.attrs["class"]:
                widget.attrs["class"] += " is-invalid"


class ApplicationForm(forms.ModelForm):
    """The public application form. `website` is a honeypot: people do not see it, bots fill
    it in."""

    consent = forms.BooleanField(label=_("I agree"), required=True)
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        # Out of the tab order: keyboard users never land in the hidden field.
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

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
            "heard_via",
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
        heard = self.fields["heard_via"]
        heard.choices = [("", _("Choose (optional)")), *HeardVia.choices]
        heard.help_text = _("Optional: it tells us which way of reaching neighbours works.")
        heard.error_messages["invalid_choice"] = _(
            "Choose one of the ways in the list, or leave it empty."
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


class ApplicationEntryForm(BootstrapMixin, ApplicationForm):
    """An application given on paper or at the door, entered by the project leader: the
    applicant agreed to the consent text there, which the leader confirms; no honeypot."""

    source = forms.ChoiceField(
        label=_("How was the application given?"),
        choices=[
            (Application.Source.PAPER, _("On paper")),
            (Application.Source.DOOR, _("At the door")),
        ],
        widget=forms.RadioSelect,
    )

    class Meta(ApplicationForm.Meta):
        fields = ["source", *ApplicationForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["website"]
        self.fields["consent"].label = _(
            "The applicant agreed to this text, on paper or at the door"
        )
        self.fields["consent"].error_messages["required"] = _(
            "Only enter an application whose applicant agreed to the text above."
        )
        self.fields["heard_via"].label = _("How did the applicant hear about the campaign?")


class CampaignForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["is_open", "intro", "headline", "material_text", "photo", "retention_months"]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "material_text": forms.Textarea(attrs={"rows": 4}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        }

    def clean_photo(self):
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


class SurveyAnswerForm(forms.Form):
    """The questionnaire as a form, built from the survey's questions. Staff entering paper
    and door-to-door answers also give the channel."""

    def __init__(self, *args, survey, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = list(survey.questions.all())
        for q in self.questions:
            name, required = f"q_{q.pk}", q.required
            if q.kind == "single":
                field = forms.ChoiceField(
                    choices=[(o, o) for o in q.options], widget=forms.RadioSelect
                )
            elif q.kind == "multiple":
                field = forms.MultipleChoiceField(
                    choices=[(o, o) for o in q.options], widget=forms.CheckboxSelectMultiple
                )
            elif q.kind == "scale":
                field = forms.TypedChoiceField(
                    choices=[(str(i), str(i)) for i in range(1, 6)],
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                )
            elif q.kind == "yesno":
                field = forms.ChoiceField(
                    choices=[("ja", _("Yes")), ("nee", _("No"))], widget=forms.RadioSelect
                )
            else:
                field = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
            field.label = q.text
            field.required = required
            self.fields[name] = field
        if staff:
            self.fields["channel"] = forms.ChoiceField(
                label=_("How was it answered?"),
                choices=[("paper", _("On paper")), ("door", _("At the door"))],
            )
        self.fields["street"] = forms.CharField(
            label=_("Your street (optional)"),
            max_length=200,
            required=False,
            help_text=_(
                "Only the street, so we can see which parts of the neighbourhood answered."
            ),
        )
        self.fields["contact_name"] = forms.CharField(
            label=_("Name"), max_length=200, required=False
        )
        self.fields["contact_email"] = forms.EmailField(label=_("E-mail address"), required=False)
        self.fields["contact_phone"] = forms.CharField(
            label=_("Phone"), max_length=30, required=False
        )
        self.fields["contact_consent"] = forms.BooleanField(
            label=_("You may contact me about joining the team"), required=False
        )

    def clean(self):
        data = super().clean()
        if data.get("contact_consent") and not (
            data.get("contact_email") or data.get("contact_phone")
        ):
            self.add_error(
                "contact_email", _("Give an e-mail address or phone number, or untick the box.")
            )
        return data

    def answers(self) -> dict:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in self.questions}

    def contact(self) -> dict:
        data = self.cleaned_data
        return {
            "consent": data.get("contact_consent"),
            "name": data.get("contact_name", ""),
            "email": data.get("contact_email", ""),
            "phone": data.get("contact_phone", ""),
        }

    def question_fields(self):
        return [self[f"q_{q.pk}"] for q in self.questions]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"))
    text = forms.CharField(label=_("Question"), max_length=300)
    options = forms.CharField(
        label=_("Options, one per line"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Question.Kind.choices

    def clean_options(self):
        return [line for line in self.cleaned_data.get("options", "").splitlines() if line.strip()]


class ChannelForm(BoundedDatesMixin, BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Channel"))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reach = forms.CharField(label=_("Reach"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Channel.Kind.choices


class DoorVisitForm(BootstrapMixin, forms.Form):
    street = forms.CharField(label=_("Street"), max_length=200)
    house_number = forms.CharField(label=_("Number"), max_length=20)
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = DoorVisit.Outcome.choices

"""Forms of the guidance: planning and writing an evaluation, its schedule, the client's
input, an action of the action plan and closing a programme. Every text is bounded by its
model field; dates stay within the product's range (`BoundedDatesMixin`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import BoundedDatesMixin
from .forms import DateInput
from .models import Action, Evaluation, EvaluationSchedule, Programme
from .models.guidance import EVALUATION_TEXT_MAX


class EvaluationPlanForm(BoundedDatesMixin, forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["kind", "planned_on"]
        widgets = {"planned_on": DateInput()}


class EvaluationForm(BoundedDatesMixin, forms.ModelForm):
    """The structured form of an evaluation: what went well, what to improve, agreements."""

    class Meta:
        model = Evaluation
        fields = ["planned_on", "held_on", "went_well", "to_improve", "agreements"]
        widgets = {
            "planned_on": DateInput(),
            "held_on": DateInput(),
            "went_well": forms.Textarea(attrs={"rows": 4}),
            "to_improve": forms.Textarea(attrs={"rows": 4}),
            "agreements": forms.Textarea(attrs={"rows": 4}),
        }


class EvaluationScheduleForm(BoundedDatesMixin, forms.ModelForm):
    class Meta:
        model = EvaluationSchedule
        fields = ["first_after_months", "every_months", "starts_on"]
        widgets = {
            "starts_on": DateInput(),
            "first_after_months": forms.NumberInput(attrs={"min": 1, "max": 24}),
            "every_months": forms.NumberInput(attrs={"min": 1, "max": 24}),
        }


class ClientInputForm(forms.Form):
    client_input = forms.CharField(
        label=_("Your input"),
        max_length=EVALUATION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What went well, what could be better, and what you would like to agree."),
    )


class ActionForm(BoundedDatesMixin, forms.ModelForm):
    # Querysets of the programme's own rows, set per form (a tenant's rows need its scope).
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None, required=False)
    evaluation = forms.ModelChoiceField(label=_("Evaluation"), queryset=None, required=False)

    class Meta:
        model = Action
        fields = [
            "title",
            "description",
            "owner",
            "partner",
            "status",
            "due_on",
            "source",
            "evaluation",
        ]
        widgets = {"due_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = programme.partners.all()
        self.fields["evaluation"].queryset = programme.evaluations.all()


class ProgrammeCloseForm(forms.Form):
    note = forms.CharField(
        label=_("A word of thanks to the team"),
        max_length=EVALUATION_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Goes along in the thank-you mail to every member."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the programme becomes read-only for everyone."),
        required=True,
    )

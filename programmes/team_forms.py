"""Forms of membership over time: pausing, leaving and rejoining (the project leader's team
page), and a member's own pause and request to stop (the phone app)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import BoundedDatesMixin
from .forms import DateInput
from .services.membership import MESSAGE_MAX, REASON_MAX


class PauseForm(BoundedDatesMixin, forms.Form):
    until = forms.DateField(label=_("Paused until and including"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=REASON_MAX,
        required=False,
        help_text=_("For example: holiday, illness."),
    )


class LeaveForm(BoundedDatesMixin, forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX)
    gear_returned = forms.BooleanField(label=_("Gear returned (bodywarmer, shirt)"), required=False)


class NoteForm(forms.Form):
    """Resuming or rejoining: an optional word on why."""

    reason = forms.CharField(label=_("Note (optional)"), max_length=REASON_MAX, required=False)


class GearReturnedForm(forms.Form):
    gear_returned = forms.BooleanField(label=_("Gear returned"), required=False)


class StopRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message for your project leader (optional)"),
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

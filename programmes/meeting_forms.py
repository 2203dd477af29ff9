"""Forms of meeting series, a meeting's agenda and notes, and its agreements."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import BoundedDatesMixin
from .forms import DateInput
from .models import Agreement, MeetingSeries
from .services.meeting_series import DURATION_MAX, DURATION_MIN, INTERVAL_WEEKS_MAX


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class SeriesForm(BoundedDatesMixin, forms.ModelForm):
    class Meta:
        model = MeetingSeries
        fields = [
            "title",
            "rule",
            "nth",
            "weekday",
            "interval_weeks",
            "start_time",
            "duration_minutes",
            "first_date",
            "until",
            "location",
            "description",
        ]
        widgets = {
            "rule": forms.RadioSelect,
            "first_date": DateInput(),
            "until": DateInput(),
            "start_time": TimeInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "nth": _("For a monthly series: the first Tuesday, the last Thursday…"),
            "interval_weeks": _("For a series every few weeks: 1 is every week."),
            "start_time": _("Local time (Amsterdam); it stays the same when the clocks change."),
            "until": _("At most two years after the first date."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["nth"].required = False
        self.fields["interval_weeks"].required = False
        self.fields["interval_weeks"].min_value = 1
        self.fields["interval_weeks"].max_value = INTERVAL_WEEKS_MAX
        self.fields["interval_weeks"].widget.attrs |= {"min": 1, "max": INTERVAL_WEEKS_MAX}
        self.fields["duration_minutes"].min_value = DURATION_MIN
        self.fields["duration_minutes"].max_value = DURATION_MAX
        self.fields["duration_minutes"].widget.attrs |= {"min": DURATION_MIN, "max": DURATION_MAX}
        if not self.is_bound:
            self.initial.setdefault("rule", MeetingSeries.Rule.MONTHLY)
            self.initial.setdefault("nth", MeetingSeries.Nth.FIRST)
            self.initial.setdefault("weekday", MeetingSeries.Weekday.TUESDAY)
            self.initial.setdefault("interval_weeks", 4)
            self.initial.setdefault("start_time", datetime.time(19, 30))
            self.initial.setdefault("duration_minutes", 90)
            self.initial.setdefault("first_date", today)
            self.initial.setdefault("until", today + datetime.timedelta(days=365))
            self.initial.setdefault("title", _("Team meeting"))
        # The nth choice's labels read "first", "last": the field says what they count.
        self.fields["nth"].choices = [("", "–"), *MeetingSeries.Nth.choices]
        self.fields["rule"].choices = MeetingSeries.Rule.choices  # no empty radio button


class AgendaForm(forms.Form):
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One point a line; the team sees it beforehand."),
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Saving the notes carries the open agreements to the next meeting."),
    )


class AgreementForm(BoundedDatesMixin, forms.ModelForm):
    prefix = "agreement"

    class Meta:
        model = Agreement
        fields = ["text", "owner_name", "due_date"]
        widgets = {"due_date": DateInput()}
        labels = {"text": _("What was agreed"), "owner_name": _("Who"), "due_date": _("By")}

"""Forms of the patrols app: the client's filters and follow-up."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.fields import BoundedDatesMixin
from programmes.models import User
from programmes.permissions import Role

from .models import ACTIVITY_MAX_HOURS, ACTIVITY_MIN_HOURS, Activity, EffortRule, SignalCategory
from .workflow import OPEN_STATUSES, Status, allowed_next


class _FlagInput(forms.CheckboxInput):
    """A checkbox that also reads a link's `?urgent=1`; "0" or anything else means off."""

    def value_from_datadict(self, data, files, name):
        return data.get(name, "").lower() in ("1", "on", "true")


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of `day` in the current time zone (Europe/Amsterdam), as an aware
    datetime: midnight exists on every day there (the clocks change at 2:00 and 3:00)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class SignalFilterForm(BoundedDatesMixin, forms.Form):
    """Filters of the signal list and map; a wrong value (an unknown status, a date outside
    the range) ignores that one filter and the form says why: never an error page."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), *Status.choices],
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    programme = forms.TypedChoiceField(
        label=_("Neighbourhood"), required=False, coerce=int, empty_value=None
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    urgent = forms.BooleanField(label=_("Only urgent"), required=False, widget=_FlagInput)
    overdue = forms.BooleanField(
        label=_("Only past the handling time"), required=False, widget=_FlagInput
    )
    # The client's staff only: signals are assigned to them (by a colleague or a route).
    mine = forms.BooleanField(label=_("Only assigned to me"), required=False, widget=_FlagInput)
    my_department = forms.BooleanField(
        label=_("Only my department's"), required=False, widget=_FlagInput
    )

    def __init__(self, *args, categories, programmes, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is None or user.role != Role.CLIENT_STAFF:
            del self.fields["mine"]
            del self.fields["my_department"]
        self.fields["category"].choices = [("", _("All"))] + [(c.pk, str(c)) for c in categories]
        self.fields["programme"].choices = [("", _("All"))] + [
            (p.pk, f"{p.neighbourhood} ({p.name})") for p in programmes
        ]

    def narrows(self) -> bool:
        """Whether `filter` narrows the signals: every field is a filter, and a filter with
        a valid value set (a status, a day, a ticked box) narrows them."""
        if not self.is_bound:
            return False
        self.is_valid()
        return any(self.cleaned_data.values())

    def filter(self, qs):
        if not self.is_bound:
            return qs
        self.is_valid()  # cleaned_data keeps the valid filters; the wrong ones show an error
        data = self.cleaned_data
        if data.get("status") == "open" or data.get("overdue"):
            qs = qs.filter(status__in=OPEN_STATUSES)
        if data.get("status") and data["status"] != "open":
            qs = qs.filter(status=data["status"])
        if data.get("urgent"):
            qs = qs.filter(urgent=True)
        if data.get("overdue"):  # as Signal.is_overdue: open and past the due date
            qs = qs.filter(due_date__lt=timezone.localdate())
        if data.get("category"):
            qs = qs.filter(
                Q(category_id=data["category"]) | Q(category__parent_id=data["category"])
            )
        if data.get("programme"):
            qs = qs.filter(programme_id=data["programme"])
        if data.get("mine"):  # the assignee's foreign-key index answers it
            qs = qs.filter(assigned_to=self.user)
        if data.get("my_department"):  # the department's foreign-key index, per department
            qs = qs.filter(assigned_department__members=self.user)
        # A period is a range on the stored moment (from the start of the first day in the
        # local time zone to the start of the day after the last): an index answers it, where
        # `reported_at__date` would convert every row before comparing.
        if data.get("start"):
            qs = qs.filter(reported_at__gte=day_start(data["start"]))
        if data.get("end"):
            qs = qs.filter(reported_at__lt=day_start(data["end"] + dt.timedelta(days=1)))
        return qs


class SignalFollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    assigned_to = forms.ModelChoiceField(
        label=_("Handled by"), queryset=User.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Required when you close the signal: the team member reads it."),
    )

    def __init__(self, *args, signal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(signal.status, Status(signal.status).label)] + [
            (s, Status(s).label) for s in allowed_next(signal.status)
        ]
        self.fields["status"].initial = signal.status
        self.fields["assigned_to"].queryset = User.objects.filter(
            organisation_id=signal.organisation_id, role=Role.CLIENT_STAFF, is_active=True
        )
        self.fields["assigned_to"].initial = signal.assigned_to_id


class RoundSlotForm(BoundedDatesMixin, forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration in minutes"), min_value=15, max_value=480, initial=90
    )
    meeting_point = forms.CharField(label=_("Meeting point"), max_length=200)
    area = forms.CharField(label=_("Area"), max_length=200, required=False)
    min_walkers = forms.IntegerField(
        label=_("Minimum number of walkers"), min_value=1, max_value=20, initial=2
    )
    weeks = forms.IntegerField(
        label=_("Repeat weekly"),
        min_value=1,
        max_value=52,
        initial=1,
        help_text=_("1 is once; 8 is the same round every week for eight weeks."),
    )

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Plan the round in the future."))
        return value


class EffortRuleForm(forms.ModelForm):
    class Meta:
        model = EffortRule
        fields = [
            "min_rounds",
            "min_hours",
            "min_team_meetings",
            "count_activity_hours",
            "count_meeting_hours",
            "reward",
        ]


class ActivityForm(BoundedDatesMixin, forms.Form):
    """An activity a member logs on the phone, besides rounds."""

    kind = forms.ChoiceField(
        label=_("What did you do?"), choices=Activity.Kind.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=ACTIVITY_MIN_HOURS,
        max_value=ACTIVITY_MAX_HOURS,
        decimal_places=2,
        max_digits=4,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
        help_text=_("From a quarter of an hour (0.25) to 24 hours."),
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Do not note residents' names or addresses."),
    )


class CategoryForm(forms.ModelForm):
    class Meta:
        model = SignalCategory
        fields = ["name", "handling_days", "is_active"]

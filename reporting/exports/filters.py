"""The filters of an export, as the dashboard's screen sets them: a programme (or all the
client's programmes), the period's first and last day (without them: the current month so
far), and for signals a status and a main category. Every value is bounded here; a wrong one
is a message, never an error page."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrols.workflow import Status
from programmes.fields import BoundedDatesMixin
from programmes.input import ID_MAX

from ..selectors.exports import EFFORT_MAX_MONTHS, period_months

FORMATS = ("csv", "xlsx")


class ExportFilterForm(BoundedDatesMixin, forms.Form):
    programme = forms.IntegerField(
        label=_("Programme"),
        required=False,
        min_value=1,
        max_value=ID_MAX,
        error_messages={"invalid": _("Choose a programme from the list.")},
    )
    # Without a period: the current month so far.
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("Until"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), *Status.choices],
        error_messages={"invalid_choice": _("This status is unknown; choose one from the list.")},
    )
    category = forms.IntegerField(
        label=_("Category"),
        required=False,
        min_value=1,
        max_value=ID_MAX,
        error_messages={"invalid": _("This category is unknown; choose one from the list.")},
    )

    def __init__(self, *args, dataset: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        for name in ("programme", "category"):  # out of range: the same words as unknown
            field = self.fields[name]
            field.error_messages["min_value"] = field.error_messages["invalid"]
            field.error_messages["max_value"] = field.error_messages["invalid"]
        if dataset != "signals":  # only signals are filtered on these: others ignore them
            del self.fields["status"]
            del self.fields["category"]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if "start" in data and data["start"] is None:
            data["start"] = today.replace(day=1)
        if "end" in data and data["end"] is None:
            data["end"] = today
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day of the period is after its last day."))
        too_long = self.dataset == "effort" and start and end
        if too_long and len(period_months(start, end)) > EFFORT_MAX_MONTHS:
            raise forms.ValidationError(
                _("An effort export covers at most %(n)s months: choose a shorter period."),
                params={"n": EFFORT_MAX_MONTHS},
            )
        return data

    def messages(self) -> list[str]:
        """The form's errors as sentences, each after its field's label."""
        found = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else None
            for error in errors:
                found.append(f"{label}: {error}" if label else str(error))
        return found

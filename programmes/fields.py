"""Form support every app's forms share: dates within the product's range, ids within the
database's.

A date in year 1 or 9999 is valid to Python but overflows when converted to UTC for storage or
back to local time on a later page; `BoundedDatesMixin` refuses it with a message in the
user's language on every date and date-time field of a form, model fields included, and tells
the browser's date picker the same range.

A chosen id such as 99999999999999999999 is a valid integer to Python, but the database driver
cannot even send it (SQLite raises OverflowError; Django's multiple choice field does not catch
that, unlike the single one): `BoundedModelMultipleChoiceField` refuses it as an invalid choice.
"""

from django import forms
from django.core.exceptions import ValidationError

from .input import DATE_MAX, DATE_MIN, ID_MAX, validate_date_range

TEMPORAL_FIELDS = (forms.DateField, forms.DateTimeField)


def bound_dates(form) -> None:
    """Add the range check (and the picker's min/max) to every date field of `form`."""
    for field in form.fields.values():
        if not isinstance(field, TEMPORAL_FIELDS):
            continue
        if validate_date_range not in field.validators:
            field.validators.append(validate_date_range)
        if isinstance(field, forms.DateTimeField):
            low, high = f"{DATE_MIN.isoformat()}T00:00", f"{DATE_MAX.isoformat()}T23:59"
        else:
            low, high = DATE_MIN.isoformat(), DATE_MAX.isoformat()
        field.widget.attrs.setdefault("min", low)
        field.widget.attrs.setdefault("max", high)


class BoundedDatesMixin:
    """Put first in a form's bases: its date and date-time fields accept YEAR_MIN..YEAR_MAX."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_dates(self)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that refuses an id beyond any database id as an invalid choice
    (with Django's own message) before it reaches the database."""

    def _check_values(self, value):
        if self.to_field_name in (None, "pk", "id"):
            for item in value or ():
                text = str(item).strip()
                if text.lstrip("-").isdigit() and not -ID_MAX <= int(text) <= ID_MAX:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": text[:30]},
                    )
        return super()._check_values(value)

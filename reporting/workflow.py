"""The periodic report's states, kept as data: which status may follow which, checked in one
place (`check_transition`).

A draft is approved once (its PDF is then made and mailed); an approved report becomes sent
when its mails are in the outbox, or failed when its PDF could not be made; a failed one may
be tried again. A sent report never moves again, so nothing is mailed twice.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models.reports import PeriodicReport

Status = PeriodicReport.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.APPROVED}),
    Status.APPROVED: frozenset({Status.SENT, Status.FAILED}),
    Status.FAILED: frozenset({Status.APPROVED}),
    Status.SENT: frozenset(),
}


def check_transition(current: str, new: str) -> None:
    """Raise a ValidationError (in words) when a report may not move from `current` to `new`."""
    if new not in TRANSITIONS.get(current, frozenset()):
        if current == Status.SENT:
            raise ValidationError(_("This report has been sent already."))
        if current in (Status.APPROVED,) and new == Status.APPROVED:
            raise ValidationError(_("This report has been approved already."))
        raise ValidationError(_("This report cannot be changed any more."))

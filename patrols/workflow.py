"""The follow-up workflow of a signal, kept as data: which status may follow which.

Checked in one place (`check_transition`); the history of a signal is append-only
(`SignalEvent`), as in Amsterdam's signals workflow.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    FORWARDED = "forwarded", _("Forwarded")
    RESOLVED = "resolved", _("Resolved")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.IN_PROGRESS, Status.FORWARDED, Status.RESOLVED, Status.NOT_APPLICABLE}
    ),
    Status.IN_PROGRESS: frozenset({Status.FORWARDED, Status.RESOLVED, Status.NOT_APPLICABLE}),
    Status.FORWARDED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.NOT_APPLICABLE}),
    # Reopening a closed signal puts it back in progress.
    Status.RESOLVED: frozenset({Status.IN_PROGRESS}),
    Status.NOT_APPLICABLE: frozenset({Status.IN_PROGRESS}),
}
CLOSED = frozenset({Status.RESOLVED, Status.NOT_APPLICABLE})
# Statuses of a signal that still waits for the client: a list for `status__in`, which an index
# serves (unlike `exclude(status__in=CLOSED)`).
OPEN_STATUSES = [s for s in Status.values if s not in CLOSED]
TEXT_REQUIRED = CLOSED  # closing a signal needs a word on what was done


def allowed_next(status: str) -> list[str]:
    return [s for s in Status.values if s in TRANSITIONS.get(status, ())]


def check_transition(current: str, new: str, text: str) -> None:
    """Raise ValidationError unless `current` -> `new` is allowed with this text."""
    if new not in TRANSITIONS.get(current, ()):
        raise ValidationError(
            {
                "status": _("A signal that is “%(current)s” cannot become “%(new)s”.")
                % {"current": Status(current).label, "new": Status(new).label}
            }
        )
    if new in TEXT_REQUIRED and not text.strip():
        raise ValidationError({"text": _("Say what was done before you close the signal.")})

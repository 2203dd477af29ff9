"""A closed programme is archived and read-only: every write to it is refused, in one place.

Pages of a programme (`ProgrammeMixin`) refuse any method but reading before the handler runs;
the phone app's endpoints and the other pages that reach a programme without it in their
address call `refuse_if_closed`. The refusal is `ProgrammeClosed`, a `PermissionDenied` that
the 403 handler (`programmes.errors`) answers with a page that says why, or with JSON for
the phone. Reads keep working: the archive stays open to whoever could read it.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


class ProgrammeClosed(PermissionDenied):
    """A write to a programme that was closed."""

    def __init__(self, programme=None):
        self.programme = programme
        super().__init__(closed_message())


def closed_message() -> str:
    return _(
        "This programme has been closed and is kept as an archive: nothing can be added or "
        "changed any more."
    )


def is_closed(programme) -> bool:
    """Whether `programme` was closed; asked once per programme object (the answer is kept on
    it, as a page asks for every button)."""
    if programme is None or programme.pk is None:
        return False
    cached = getattr(programme, "_closed", None)
    if cached is None:
        from .models import ProgrammeClosure  # noqa: PLC0415 - the models import this module's callers

        cached = ProgrammeClosure.objects.filter(programme_id=programme.pk).exists()
        programme._closed = cached
    return cached


def refuse_if_closed(programme) -> None:
    """Raise `ProgrammeClosed` when `programme` was closed."""
    if is_closed(programme):
        raise ProgrammeClosed(programme)

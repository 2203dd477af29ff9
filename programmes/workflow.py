"""The membership of a team member, kept as data: which state may follow which.

A member is active (scheduled, reminded, held to the effort obligation), paused (a holiday or
an illness, until a date) or has left (with the date, a reason and whether the gear came
back). Checked in one place (`check_membership_transition`); the history of a membership is
append-only (`MembershipEvent`), as a signal's is.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipState(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    LEFT = "left", _("Left")


MEMBERSHIP_TRANSITIONS: dict[str, frozenset[str]] = {
    # A pause may be moved to another end date: paused -> paused.
    MembershipState.ACTIVE: frozenset({MembershipState.PAUSED, MembershipState.LEFT}),
    MembershipState.PAUSED: frozenset(
        {MembershipState.ACTIVE, MembershipState.PAUSED, MembershipState.LEFT}
    ),
    # Someone who left comes back by rejoining (active again).
    MembershipState.LEFT: frozenset({MembershipState.ACTIVE}),
}
# The states in which a member is still on the team (`TeamMember.is_active`, which much of
# the code reads, is kept equal to "state in ON_TEAM").
ON_TEAM = frozenset({MembershipState.ACTIVE, MembershipState.PAUSED})


def allowed_membership_next(state: str) -> list[str]:
    return [s for s in MembershipState.values if s in MEMBERSHIP_TRANSITIONS.get(state, ())]


def check_membership_transition(current: str, new: str) -> None:
    """Raise ValidationError unless a membership may move from `current` to `new`."""
    if new not in MEMBERSHIP_TRANSITIONS.get(current, ()):
        raise ValidationError(
            _("A member who is “%(current)s” cannot become “%(new)s”.")
            % {"current": MembershipState(current).label, "new": MembershipState(new).label}
        )

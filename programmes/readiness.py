"""Why a team member may (not yet) walk rounds, in words for the project leader and the member.

Whether a member may walk rounds lives on the roster (`TeamMember.ready_for_rounds`): the
training track sets it when the track is done, or a project leader overrides it with a reason.
The base app does not know what the track asks, so apps plug in here:

- an *explainer* (`register_readiness_explainer`) gives one line per member for the roster
  ("Nog niet: workshop niet gehaald"), read through `readiness_reasons`;
- a *check* (`register_readiness_check`) names, for one member who is not ready, what they still
  miss, addressed to them ("je hebt de workshop nog niet gehaald"); `readiness_reason` turns
  that into the sentence the phone app shows. It asks only for a member who is not ready, so
  the project leader's override always wins.
"""

from collections.abc import Callable

from django.utils.text import get_text_list
from django.utils.translation import gettext as _

# explainer(programme=..., members=[TeamMember]) -> {user_id: one line}
_EXPLAINERS: list[Callable] = []
# check(member=TeamMember) -> ["you have not passed the workshop yet", ...]
_CHECKS: list[Callable] = []


def register_readiness_explainer(explainer: Callable) -> Callable:
    """Register the function that explains each member's readiness in one line."""
    if explainer not in _EXPLAINERS:
        _EXPLAINERS.append(explainer)
    return explainer


def readiness_reasons(*, programme, members) -> dict[int, str]:
    """One line per member (by user id) saying why they may walk rounds or not yet."""
    members = list(members)
    reasons: dict[int, str] = {}
    for explainer in _EXPLAINERS:
        reasons.update(explainer(programme=programme, members=members))
    for member in members:
        reasons.setdefault(
            member.user_id,
            _("Ready") if member.ready_for_rounds else _("Not yet ready for rounds"),
        )
    return reasons


def register_readiness_check(check: Callable) -> Callable:
    """Register a check (called with `member=`) returning what that member still misses."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def readiness_missing(*, member) -> list[str]:
    """What the member still misses before rounds, addressed to them; empty when the member
    is ready (through the track or through the project leader's override)."""
    if member is None or member.ready_for_rounds:
        return []
    return [phrase for check in _CHECKS for phrase in check(member=member)]


def readiness_reason(*, member) -> str:
    """One sentence telling the member why they cannot walk rounds yet; "" when they can."""
    if member is None:
        return _("You cannot walk rounds yet: you are not on a team.")
    if member.ready_for_rounds:
        return ""
    missing = readiness_missing(member=member) or [
        _("your project leader has not cleared you for rounds yet")
    ]
    return _("You cannot walk rounds yet: %(missing)s.") % {
        "missing": get_text_list(missing, _("and"))
    }

"""The selection of applicants, kept as data: which step may follow which.

The consultancy moves applicants up to "proposed"; the client's decision makes them
selected or not selected. A project leader may stop an application at any step before that.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    APPLIED = "applied", _("Applied")
    INVITED = "invited", _("Invited to the meeting")
    INTERVIEW = "interview", _("Interview")
    PROPOSED = "proposed", _("Proposed to the client")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")


# Moves the consultancy makes.
CONSULTANCY_MOVES: dict[str, frozenset[str]] = {
    Stage.APPLIED: frozenset({Stage.INVITED, Stage.INTERVIEW, Stage.NOT_SELECTED}),
    Stage.INVITED: frozenset({Stage.INTERVIEW, Stage.NOT_SELECTED}),
    Stage.INTERVIEW: frozenset({Stage.PROPOSED, Stage.NOT_SELECTED}),
    Stage.PROPOSED: frozenset({Stage.INTERVIEW}),  # taken back before the client decides
}
# Moves the client makes: only on a proposal.
CLIENT_MOVES: dict[str, frozenset[str]] = {
    Stage.PROPOSED: frozenset({Stage.SELECTED, Stage.NOT_SELECTED}),
}
FINAL = frozenset({Stage.SELECTED, Stage.NOT_SELECTED})


def check_move(current: str, new: str, *, by_client: bool) -> None:
    table = CLIENT_MOVES if by_client else CONSULTANCY_MOVES
    if new not in table.get(current, ()):
        raise ValidationError(
            {
                "stage": _("An applicant who is “%(current)s” cannot become “%(new)s”.")
                % {"current": Stage(current).label, "new": Stage(new).label}
            }
        )


def decided_by_client(previous: str, stage: str) -> bool:
    """Whether the step from `previous` to `stage` is one only the client makes."""
    return stage in CLIENT_MOVES.get(previous, ()) and stage not in CONSULTANCY_MOVES.get(
        previous, ()
    )


def next_moves(current: str, *, by_client: bool) -> list[str]:
    table = CLIENT_MOVES if by_client else CONSULTANCY_MOVES
    return [s for s in Stage.values if s in table.get(current, ())]

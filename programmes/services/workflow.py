"""A workflow transition, once for every app: check the move in the app's table, set the
state through `apply_changes`, append a history row and write an audit entry.

An app keeps its own states, its table of allowed moves and its messages in its
`workflow.py` (Amsterdam's signals keep theirs the same way); it describes where the state
and the history live with a `Workflow` and calls `workflow_transition`. Patrols moves a
signal's status with it, recruitment an application's stage, and the next workflows
(membership states, hand-off of signals) take the same road, so "who moved it, when, from
where" is answered the same way everywhere.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from ..audit import audit_log
from .common import apply_changes


@dataclass(frozen=True)
class Workflow:
    """Where one kind of object keeps its state and its history.

    `state` is the field that holds the state ("status"), `history` the append-only model of
    its steps, `subject` that model's foreign key to the object ("signal"), `from_field` and
    `to_field` its two state columns, and `action` the prefix of the audit action: a move to
    "resolved" is audited as "<action>.resolved".
    """

    state: str
    history: type[models.Model]
    subject: str
    from_field: str
    to_field: str
    action: str

    def __post_init__(self):
        _workflows.append(self)


# Every workflow described so far (an app's services module describes its own on import):
# tests/project/test_writes.py checks that their history rows are written here only.
_workflows: list[Workflow] = []


def workflows_registered() -> tuple[Workflow, ...]:
    """The workflows the imported apps have described."""
    return tuple(_workflows)


def workflow_history_append(
    *, workflow: Workflow, obj: models.Model, actor, previous: str, new: str, **extra
) -> models.Model:
    """Append one row to the object's history (also the first one, when it is made: then
    `previous` is ""). `extra` holds the history model's own columns (a note, an assignee)."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    row = workflow.history(
        organisation=obj.organisation,
        actor=actor,
        **{workflow.subject: obj, workflow.from_field: previous, workflow.to_field: new},
        **extra,
    )
    # The relations come from the service's own (locked) objects; the states and texts are
    # checked against the model's choices and limits.
    row.full_clean(exclude=[f.name for f in row._meta.fields if f.is_relation])
    row.save()
    return row


def workflow_transition(
    *,
    workflow: Workflow,
    obj: models.Model,
    actor,
    new: str,
    check: Callable[[str, str], None] | None,
    fields: dict | None = None,
    allowed: tuple[str, ...] = (),
    history: dict | None = None,
    action: str | None = None,
    data: dict | None = None,
) -> str:
    """Move `obj` to the state `new` and return the state it had.

    The caller runs in a transaction and holds the row lock (`select_for_update`), so two
    moves at once cannot both start from the same state. `check(current, new)` is the app's
    table: it raises ValidationError, with the app's own message, for a move it does not
    allow; None only for a step that is not a move in the table (an undo, a merge), which
    the caller has checked by its own rule. `fields` are other fields the same step sets
    (names in `allowed`), `history` the history row's own columns. The audit action is
    "<workflow.action>.<new>" unless `action` names another; its data is {"from": previous}
    unless `data` is given.
    """
    previous = getattr(obj, workflow.state)
    if check is not None:
        check(previous, new)
    changed = apply_changes(
        obj, {workflow.state: new, **(fields or {})}, allowed=(workflow.state, *allowed)
    )
    if changed:
        obj.save(update_fields=changed)
    workflow_history_append(
        workflow=workflow, obj=obj, actor=actor, previous=previous, new=new, **(history or {})
    )
    audit_log(
        actor=actor,
        organisation=obj.organisation,
        action=action or f"{workflow.action}.{new}",
        obj=obj,
        data={"from": previous} if data is None else data,
    )
    return previous

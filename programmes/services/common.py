"""Helpers shared by the services, and the rule every write follows.

The rule: every write lives in a service (`<app>/services/`), sets fields through
`apply_changes` and, when it is a state change someone would ask "who did this, and when?"
about, writes one audit entry (`programmes.audit.audit_log`) in the same transaction. A
workflow (a signal's status, an application's stage) moves through
`programmes.services.workflow.workflow_transition`, which does all of it and appends the
history row. Views, forms, selectors and tasks write nothing themselves
(tests/project/test_writes.py keeps it so).

Where the line lies: these writes are bookkeeping and are not audited, on purpose.
- Delivery state of the mail outbox (queued, sending, sent, failed, retries, held until) and
  the outbox rows `mail_queue` and the login-code adapter add: the action that queued a mail
  is audited, the mail's own life is visible on the mail page (`services/outbox.py`).
- Render state of a document (pending, rendering, ready, failed, attempts): the request is
  audited (`document.requested`), the rendering is not (`services/documents.py`).
- Reminder stamps: `Invitee.reminder_sent_at` and `RoundSignup.reminded_at`, which only keep a
  reminder from going twice.
- Login and session stamps (`last_login`, allauth's own rows), and a person's own interface
  language (`user_set_language`).
- Defaults made on first use, which are nobody's decision: the standard plan template
  (`plan_template_ensure`), the empty campaign (`campaign_for`), the default signal
  categories (`categories_ensure`), a member's empty gear row. Changing any of them is audited.
- Notifications (`services/notifications.py`): their rows, read and mail state, digest
  records and retention, and a person's own choices for them (preferences, unsubscribing):
  the event a notification tells of is audited by its own service.
- Rows that only carry an audited step along: the history row of a workflow step, the answers
  of an audited survey response, the copy of the accepted rules' text.
"""

from django.db import models, transaction


def apply_changes(obj: models.Model, fields: dict, *, allowed) -> list[str]:
    """Set the values in `fields` that differ from `obj`'s; return the names that changed.

    Refuses names outside `allowed`, so a form cannot write a field the service does not own.
    """
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    return changed


def attempt_claim(model, *, pk: int, waiting: str, attempt: int | None, now, stale_after):
    """Start an attempt at a row that background work takes up one attempt at a time (a
    document, a photo: fields `status`, `attempts`, `attempted_at`). None when the row is no
    longer `waiting` (ready, failed, gone) or another attempt is on it. `attempt` is the
    attempt this task claimed before (its retry takes it up again); an attempt that started
    more than `stale_after` ago is taken over."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.status != waiting:
            return None
        busy = row.attempted_at is not None and row.attempted_at > now - stale_after
        if busy and attempt != row.attempts:
            return None
        row.attempts += 1
        row.attempted_at = now
        row.save(update_fields=["attempts", "attempted_at"])
        return row

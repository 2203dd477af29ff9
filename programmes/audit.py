"""Writing the audit log. Services call `audit_log` for every state change they make; which
writes are bookkeeping and stay out of it is listed in `programmes.services.common`."""

from django.db import models

from .models import AuditEntry, Organisation


def audit_log(
    *,
    actor,
    organisation: Organisation,
    action: str,
    obj: models.Model,
    data: dict | None = None,
) -> AuditEntry:
    """Append one entry; `action` is a dotted verb such as "organisation.created"."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor,
        actor_name=str(actor)[:200] if actor is not None else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        data=data or {},
    )


# What each action code means, in words: apps register theirs from `AppConfig.ready()`, so the
# audit log shows "Signal reported" rather than "signal.reported" and the base names no app.
_action_labels: dict[str, object] = {}


def register_audit_actions(labels: dict) -> None:
    """Add {action code: translatable label}; a later registration of a code wins."""
    _action_labels.update(labels)


def audit_action_label(action: str) -> str:
    """The label of an action code; an unknown code is shown as it is rather than hidden."""
    return str(_action_labels.get(action, action))


def audit_actions_registered() -> frozenset[str]:
    return frozenset(_action_labels)

"""Writing the audit log. Services call `audit_log` for every state change they make."""

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
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        data=data or {},
    )

"""Helpers shared by the services."""

from django.db import models


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

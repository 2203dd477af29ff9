"""The abstract base of every tenant-owned model: the organisation it belongs to, and a
django-scopes manager, so a query outside an active scope raises `ScopeError` instead of leaking.

Subclass `TenantModel` rather than repeating the key and the manager. A model that needs another
verbose name, `on_delete` or reverse name for its key redeclares the `organisation` field (Django
lets a subclass override a field of an abstract parent) and keeps the manager. A model with an
extra manager sets `Meta.default_manager_name = "objects"`: a subclass's own managers come before
inherited ones, so without it the extra one would become the default. The test
tests/project/test_tenant_models.py checks that every model with an `organisation` key is a
`TenantModel` with a scoped default manager, or on its allow-list.
"""

from django.db import models
from django_scopes import ScopedManager


class TenantModel(models.Model):
    """Owned by one organisation (a tenant); read only inside a scope on that organisation."""

    # A lazy reference: base.py defines Organisation and itself subclasses this model. The
    # column, `on_delete` and reverse name ("+": none) are those every tenant model had before.
    organisation = models.ForeignKey(
        "programmes.Organisation", on_delete=models.CASCADE, related_name="+"
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        abstract = True

"""Every tenant-owned model is a `TenantModel`: a model of our apps with an `organisation` key to
Organisation gets its scoped manager from the one abstract base, so a query outside a scope
raises `ScopeError` instead of reading across tenants. A model that must be read before a tenant
is known is on the allow-list below, with the reason."""

import django_scopes.manager
import pytest
from django.apps import apps
from django_scopes import ScopeError, scope

from programmes.models import Organisation, TenantModel

APPS = ("programmes", "recruitment", "trainings", "patrols")

# Models with an `organisation` key that are deliberately not scoped, and why.
NOT_SCOPED = {
    # Authentication finds a user by e-mail before any tenant is known; lists of users are
    # filtered by the acting user's organisations in the selectors.
    "programmes.User",
}


def models_with_organisation_key():
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            field = next(
                (f for f in model._meta.get_fields() if f.name == "organisation"),
                None,
            )
            if field is not None and field.is_relation and field.related_model is Organisation:
                found.append(model)
    return found


TENANT_KEYED = models_with_organisation_key()
SCOPED = [m for m in TENANT_KEYED if m._meta.label not in NOT_SCOPED]


def test_the_walk_finds_the_tenant_models():
    """A guard on the walk itself: it sees the models of all four apps."""
    labels = {m._meta.label for m in TENANT_KEYED}
    assert {"programmes.Programme", "recruitment.Application", "trainings.Certificate"} <= labels
    assert {"patrols.Signal", "programmes.User"} <= labels
    assert len(SCOPED) >= 30


def test_the_allow_list_is_not_stale():
    """Each allowed model still has the key and still is not a TenantModel."""
    labels = {m._meta.label: m for m in TENANT_KEYED}
    for label in NOT_SCOPED:
        assert label in labels, f"{label} has no organisation key any more: drop it from the list"
        assert not issubclass(labels[label], TenantModel), f"{label} is scoped now: drop it"


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_tenant_model_is_scoped(model):
    assert issubclass(model, TenantModel), (
        f"{model._meta.label} has an organisation key: subclass programmes.models.TenantModel "
        "(or add it to NOT_SCOPED with the reason)"
    )
    field = model._meta.get_field("organisation")
    assert field.column == "organisation_id"

    manager = model._default_manager
    assert manager.name == "objects"
    assert type(manager).__module__ == django_scopes.manager.__name__

    # An active scope without an organisation: the query refuses before it reaches the database.
    with scope(), pytest.raises(ScopeError):
        manager.all()
    with scope(), pytest.raises(ScopeError):
        manager.filter(pk=1)

    # Inside an organisation's scope, the query is filtered on that organisation.
    with scope(organisation=7):
        where = manager.all().query.where
    keys = [(c.lhs.target.name, c.rhs) for c in where.children if hasattr(c, "lhs")]
    assert ("organisation", 7) in keys

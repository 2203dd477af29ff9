"""Tenancy: tenant models refuse queries outside a scope; scopes show one tenant only."""

import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from programmes.audit import audit_log
from programmes.models import AuditEntry, Invitation
from programmes.permissions import Role
from programmes.selectors import organisations_for


@pytest.mark.parametrize("model", [AuditEntry, Invitation])
def test_query_on_tenant_model_outside_scope_raises(db, model):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()


def test_scope_shows_only_its_own_organisation(world, other_world):
    with scopes_disabled():
        audit_log(actor=None, organisation=world.client, action="x.done", obj=world.client)
        audit_log(
            actor=None, organisation=other_world.client, action="x.done", obj=other_world.client
        )
    with scope(organisation=world.client.pk):
        assert [e.organisation_id for e in AuditEntry.objects.all()] == [world.client.pk]
    with scope(organisation=[world.client.pk, other_world.client.pk]):
        assert AuditEntry.objects.count() == 2


def test_organisations_for_each_role(world, other_world):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    assert set(organisations_for(user=admin)) == {
        world.consultancy,
        world.client,
        world.other_client,
    }
    pl = world.users[Role.PROJECT_LEADER]
    assert set(organisations_for(user=pl)) == {world.consultancy, world.client}
    staff = world.users[Role.CLIENT_STAFF]
    assert list(organisations_for(user=staff)) == [world.client]
    world.client.is_active = False
    world.client.save(update_fields=["is_active"])
    assert list(organisations_for(user=staff)) == []


def test_request_without_org_runs_in_users_organisations(client, world, other_world):
    """The audit log page lists entries of the admin's own organisations only."""
    with scopes_disabled():
        audit_log(actor=None, organisation=world.client, action="mine.created", obj=world.client)
        audit_log(
            actor=None,
            organisation=other_world.client,
            action="theirs.created",
            obj=other_world.client,
        )
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get("/workspace/audit/").content.decode()
    assert "mine.created" in page
    assert "theirs.created" not in page

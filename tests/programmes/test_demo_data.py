"""The demo-data command: a user of every role, and running it twice changes nothing."""

from django.core.management import call_command
from django_scopes import scopes_disabled

from programmes.models import AuditEntry, Organisation, User
from programmes.permissions import Role


def _snapshot():
    with scopes_disabled():
        return (
            sorted(
                Organisation.objects.values_list(
                    "slug", "name", "kind", "consultancy__slug", "logo"
                )
            ),
            sorted(User.objects.values_list("email", "role", "organisation__slug", "password")),
            AuditEntry.objects.count(),
        )


def test_demo_data_is_complete_and_idempotent(db, capsys):
    call_command("demo_data")
    first = _snapshot()
    call_command("demo_data")
    assert _snapshot() == first
    orgs, users, _ = first
    kinds = {kind for _, _, kind, _, _ in orgs}
    assert {"consultancy", "municipality", "housing_corporation"} <= kinds
    assert {role for _, role, _, _ in users} == set(Role.values)
    assert "0 new objects" in capsys.readouterr().out

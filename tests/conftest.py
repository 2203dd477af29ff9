"""Shared fixtures: two separate worlds (consultancy + clients + a user of every role), so
every test can ask "does this leak into the other world?"."""

import os
from dataclasses import dataclass, field

import pytest
from django_scopes import scopes_disabled

from programmes.permissions import Role

from .factories import ClientFactory, ConsultancyFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM is safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class World:
    consultancy: object
    client: object
    other_client: object
    users: dict = field(default_factory=dict)


def _world(prefix: str) -> World:
    consultancy = ConsultancyFactory(name=f"{prefix} Advies", slug=f"{prefix}-advies")
    client = ClientFactory(
        name=f"Gemeente {prefix}", slug=f"{prefix}-gemeente", consultancy=consultancy
    )
    other = ClientFactory(
        name=f"Woonstichting {prefix}",
        slug=f"{prefix}-wonen",
        consultancy=consultancy,
        kind="housing_corporation",
    )
    w = World(consultancy=consultancy, client=client, other_client=other)
    w.users[Role.CONSULTANCY_ADMIN] = UserFactory(
        email=f"admin@{prefix}.example", role=Role.CONSULTANCY_ADMIN, organisation=consultancy
    )
    pl = UserFactory(
        email=f"pl@{prefix}.example", role=Role.PROJECT_LEADER, organisation=consultancy
    )
    pl.assigned_clients.set([client])
    w.users[Role.PROJECT_LEADER] = pl
    w.users[Role.CLIENT_STAFF] = UserFactory(
        email=f"staff@{prefix}.example", role=Role.CLIENT_STAFF, organisation=client
    )
    w.users[Role.TEAM_MEMBER] = UserFactory(
        email=f"member@{prefix}.example", role=Role.TEAM_MEMBER, organisation=client
    )
    return w


@pytest.fixture
def world(db):
    with scopes_disabled():
        return _world("noord")


@pytest.fixture
def other_world(db):
    with scopes_disabled():
        return _world("zuid")


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test gets its own media folder and an empty cache (rate limits count in it)."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def login(client):
    """Log a user in, completing two-factor authentication the way a session would."""

    def _login(user):
        client.force_login(user)
        return client

    return _login

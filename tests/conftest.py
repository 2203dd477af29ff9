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


@pytest.fixture
def unscoped():
    """The test's own ORM work looks across tenants; requests still run in their own scope
    (the live server's thread does not share this context)."""
    with scopes_disabled():
        yield


@pytest.fixture
def team(world, unscoped):
    """(programme, team member, signal categories): a programme of `world`'s client whose
    team member is on the roster and ready for rounds."""
    import datetime as dt

    from patrols import services as patrols
    from programmes import services

    pl = world.users[Role.PROJECT_LEADER]
    programme = services.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        name="Team Noord",
        neighbourhood="Noord",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    member = world.users[Role.TEAM_MEMBER]
    roster = services.team_member_add(actor=pl, programme=programme, user=member)
    services.team_member_set_ready(actor=pl, member=roster, ready=True)
    return programme, member, patrols.categories_ensure(programme=programme)

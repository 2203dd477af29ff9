"""Fixtures for patrols: a programme with its categories and a ready team member."""

import datetime as dt

import pytest
from django_scopes import scopes_disabled

from patrols import services as patrols
from programmes import services
from programmes.permissions import Role


@pytest.fixture
def unscoped():
    with scopes_disabled():
        yield


@pytest.fixture
def team(world, unscoped):
    """(programme, member user, categories) in `world`'s client."""
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
    categories = patrols.categories_ensure(programme=programme)
    return programme, member, categories

"""Fixtures for programme tests: a programme of `world`'s client led by its project leader."""

import datetime as dt

import pytest
from django_scopes import scopes_disabled

from programmes import services
from programmes.permissions import Role


@pytest.fixture
def programme(world):
    with scopes_disabled():
        return services.programme_create(
            actor=world.users[Role.PROJECT_LEADER],
            client=world.client,
            project_leaders=[world.users[Role.PROJECT_LEADER]],
            client_contacts=[world.users[Role.CLIENT_STAFF]],
            name="BewonersTeam Noord",
            neighbourhood="Oude Noorden",
            municipality="Noordstad",
            postcode_areas="3031, 3032",
            start_date=dt.date(2026, 9, 7),  # a Monday
        )

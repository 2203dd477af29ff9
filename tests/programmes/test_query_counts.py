"""List pages run the same number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from programmes import services
from programmes.permissions import Role

from ..factories import ClientFactory, UserFactory

PAGES = ["/workspace/", "/workspace/clients/", "/workspace/users/", "/workspace/audit/"]


def _grow(world, n):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    with scopes_disabled():
        for i in range(n):
            org = ClientFactory(consultancy=world.consultancy)
            UserFactory(organisation=org, role=Role.CLIENT_STAFF)
            services.invitation_create(
                actor=admin,
                organisation=org,
                email=f"inv{i}-{org.pk}@example.org",
                name="I",
                role=Role.TEAM_MEMBER,
            )
            services.organisation_update(actor=admin, organisation=org, city=f"Stad {i}")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow_with_rows(client, world, url):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    _grow(world, 1)
    small = _count(client, url)
    _grow(world, 30)
    large = _count(client, url)
    assert large == small, f"{url}: {small} queries with few rows, {large} with many"

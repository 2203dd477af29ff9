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
                role=Role.CLIENT_STAFF,
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


def _grow_programmes(world, n):
    import datetime as dt

    from django.utils import timezone

    pl = world.users[Role.PROJECT_LEADER]
    with scopes_disabled():
        for i in range(n):
            p = services.programme_create(
                actor=pl,
                client=world.client,
                project_leaders=[pl],
                client_contacts=[world.users[Role.CLIENT_STAFF]],
                name=f"Team {i}",
                neighbourhood="Wijk",
                municipality="Stad",
                start_date=dt.date(2026, 6, 1),
            )
            services.plan_generate(actor=pl, programme=p)
            start = timezone.now() + dt.timedelta(days=i + 1)
            m = services.meeting_create(
                actor=pl,
                programme=p,
                kind="team",
                title=f"Overleg {i}",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                location="Buurthuis",
            )
            services.invitee_add(actor=pl, meeting=m, name="A", email=f"a{i}-{p.pk}@example.org")


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.PROJECT_LEADER, "/workspace/"),
        (Role.CONSULTANCY_ADMIN, "/workspace/"),
        (Role.CLIENT_STAFF, "/portal/{org}/"),
    ],
)
def test_programme_lists_do_not_grow(client, world, role, url):
    """The workspace and the portal at 1 and at 50 programmes, each with 14 milestones and a
    meeting: the same number of queries."""
    client.force_login(world.users[role])
    url = url.format(org=world.client.slug)
    _grow_programmes(world, 1)
    small = _count(client, url)
    _grow_programmes(world, 49)
    large = _count(client, url)
    assert large == small, f"{url}: {small} queries at 1 programme, {large} at 50"


@pytest.mark.parametrize("page", ["", "plan/", "outbox/"])
def test_programme_pages_do_not_grow(client, world, programme, page):
    import datetime as dt

    from django.utils import timezone

    pl = world.users[Role.PROJECT_LEADER]
    client.force_login(pl)
    url = f"/workspace/clients/{world.client.slug}/programmes/{programme.pk}/{page}"

    def grow(n):
        with scopes_disabled():
            for i in range(n):
                services.milestone_create(
                    actor=pl,
                    programme=programme,
                    phase="guidance",
                    title=f"M{i}",
                    due_date=dt.date(2026, 12, 1),
                    owner=pl,
                )
                start = timezone.now() + dt.timedelta(days=1)
                services.meeting_create(
                    actor=pl,
                    programme=programme,
                    kind="team",
                    title=f"O{i}",
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=1),
                    location="X",
                )

    grow(1)
    small = _count(client, url)
    grow(40)
    assert _count(client, url) == small

"""The workspace and the users page list by organisation name, then name: read as a merge of
each organisation's part of an (organisation, name) index (`statements.per_organisation`),
which must give exactly the order of one sorted statement, across pages, with two
organisations of the same name and past the number of organisations it merges. A
programme's mail page reads its newest messages from its own index. On SQLite (the
embedded default, where the benchmarks run) none of these pages sorts its rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from programmes import statements
from programmes.models import OutboxMessage, Programme, User
from programmes.permissions import Role
from programmes.selectors.accounts import organisation_ids_for, user_list_for
from programmes.selectors.programmes import workspace_programmes_for
from tests.factories import ClientFactory, UserFactory

NAMES = ["Zuid", "anker", "Midden", "Oost", "Bos", "Centrum", "West", "Haven"]


def _clients(world):
    """The world's two clients and a third with the same name as the first."""
    twin = ClientFactory(name=world.client.name, slug="noord-twin", consultancy=world.consultancy)
    return [world.client, world.other_client, twin]


def _fill(world, clients):
    Programme.objects.bulk_create(
        Programme(
            organisation=org,
            name=f"Team {NAMES[(i * 3 + k) % len(NAMES)]} {i}",
            neighbourhood="Wijk",
            municipality="Stad",
            start_date=dt.date(2026, 6, 1),
        )
        for i in range(25)
        for k, org in enumerate(clients)
    )
    for i in range(25):
        for k, org in enumerate(clients):
            UserFactory(
                email=f"p{i}-{k}@noord.example",
                name=f"{NAMES[(i + k) % len(NAMES)]} {i}",
                role=Role.CLIENT_STAFF,
                organisation=org,
            )


def _expected(rows):
    return [
        r["pk"] for r in sorted(rows, key=lambda r: (r["organisation__name"], r["name"], r["pk"]))
    ]


def _paged(rows, size=20):
    out, start = [], 0
    while True:
        page = list(rows[start : start + size])
        out += page
        if len(page) < size:
            return out
        start += size


@pytest.mark.parametrize("many", [False, True], ids=["merged", "past-the-merge-limit"])
def test_workspace_and_users_keep_organisation_then_name_order_across_pages(
    world, unscoped, monkeypatch, many
):
    clients = _clients(world)
    _fill(world, clients)
    if many:
        monkeypatch.setattr(statements, "MERGE_LIMIT", 1)
    admin = world.users[Role.CONSULTANCY_ADMIN]
    with scope(organisation=organisation_ids_for(user=admin)):
        programmes = _paged(workspace_programmes_for(user=admin))
        people = _paged(user_list_for(user=admin))
        filtered = _paged(user_list_for(user=admin, role=Role.CLIENT_STAFF, q="o"))
        count = workspace_programmes_for(user=admin).count()
    assert len(programmes) == count == 75
    assert [r["pk"] for r in programmes] == _expected(programmes)
    # The twin clients' programmes interleave by name, as one sorted statement has them.
    twins = [r["organisation__name"] for r in programmes[:50]]
    assert set(twins) == {world.client.name}
    organisations = [world.consultancy, *clients]
    assert len(people) == User.objects.filter(organisation__in=organisations).count() == 79
    assert [r["pk"] for r in people] == _expected(people)
    assert filtered and all(r["name"].lower().startswith("o") for r in filtered)
    assert [r["pk"] for r in filtered] == _expected(filtered)


def test_the_page_shows_the_merged_order(client, world, unscoped):
    clients = _clients(world)
    _fill(world, clients)
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    html = client.get(reverse("workspace") + "?page=2").content.decode()
    rows = Programme.objects.order_by("organisation__name", "name", "pk")[50:75]
    positions = [html.index(f">{p.name}</a>") for p in rows]
    assert positions == sorted(positions)


def _plans(captured, table):
    with connection.cursor() as cursor:
        for q in captured:
            sql = q["sql"]
            if f'"{table}"."id" AS "pk"' in sql and "COUNT(*)" not in sql and "LIMIT" in sql:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                yield "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
def test_the_list_pages_read_their_rows_in_index_order(client, world, programme, unscoped):
    _fill(world, _clients(world))
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            organisation=world.client,
            programme=programme,
            template="x",
            to_email=f"r{i}@example.org",
            subject=f"Onderwerp {i}",
            body_text="x",
        )
        for i in range(60)
    )
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    outbox = reverse(
        "programme_outbox", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    for url, table, index in (
        (reverse("workspace"), "programmes_programme", "programme_org_name"),
        (reverse("user_list"), "programmes_user", "user_org_name"),
        (outbox, "programmes_outboxmessage", "outbox_programme_newest"),
    ):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        plans = list(_plans(ctx.captured_queries, table))
        assert plans, url
        for plan in plans:
            assert index in plan, plan
            assert "TEMP B-TREE FOR ORDER BY" not in plan, plan

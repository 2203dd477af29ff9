"""The client's signal list at size: periods as ranges on the stored moment (day boundaries in
Europe/Amsterdam), paging that reaches every row exactly once past the numbered pages, counts
that stop at a cap and say so, and query counts that do not grow."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols import selectors
from patrols import services as patrols
from programmes.permissions import Role

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _signal(team, at, description, **extra):
    programme, member, categories = team
    return patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description=description,
        reported_at=at,
        **{"street": "Lindelaan", **extra},
    )[0]


def _url(world):
    return reverse("patrols:portal_signals", kwargs={"org": world.client.slug})


def _local(day, hour, minute=0, second=0):
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=AMSTERDAM)


@pytest.fixture
def boundaries(team):
    """Signals just inside and just outside a period of two days, in local time."""
    first = timezone.localdate() - dt.timedelta(days=10)
    last = first + dt.timedelta(days=1)
    _signal(team, _local(first, 0), "Eerste minuut")
    _signal(team, _local(first - dt.timedelta(days=1), 23, 59, 59), "Dag ervoor")
    _signal(team, _local(last, 23, 30), "Laatste avond")
    _signal(team, _local(last + dt.timedelta(days=1), 0), "Dag erna")
    return first, last


def test_period_includes_its_last_evening_and_not_the_next_midnight(client, world, boundaries):
    first, last = boundaries
    client.force_login(world.users[Role.CLIENT_STAFF])
    page = client.get(_url(world), {"start": first, "end": last}).content.decode()
    assert "Eerste minuut" in page and "Laatste avond" in page
    assert "Dag ervoor" not in page and "Dag erna" not in page
    one_day = client.get(_url(world), {"start": last, "end": last}).content.decode()
    assert "Laatste avond" in one_day and "Eerste minuut" not in one_day


def test_period_is_a_range_on_the_stored_column(client, world, boundaries):
    """No conversion per row: no AT TIME ZONE, no cast to a date (PostgreSQL or SQLite)."""
    first, last = boundaries
    client.force_login(world.users[Role.CLIENT_STAFF])
    with CaptureQueriesContext(connection) as ctx:
        client.get(_url(world), {"start": first, "end": last})
    signal_sql = [q["sql"] for q in ctx.captured_queries if '"patrols_signal"' in q["sql"]]
    assert signal_sql
    for sql in signal_sql:
        assert "AT TIME ZONE" not in sql.upper()
        assert "::date" not in sql and "cast_date" not in sql and "DATE(" not in sql.upper()


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 4 rows, 2 of them numbered: the keyset pages start at the 9th row."""
    for module in (selectors, selectors.portal):  # the pages read the package's
        monkeypatch.setattr(module, "PAGE_SIZE", 4)
    for module in (selectors, selectors.portal):  # the pages read the package's
        monkeypatch.setattr(module, "NUMBERED_PAGES", 2)


def _walk(client, url, filters, start, step):
    """The pks of every page from `start` on, following the `step` link ("older"/"newer")
    with the filters kept, as the page's links do."""
    seen, query, pages = [], start, 0
    while query is not None and pages < 50:
        response = client.get(f"{url}?{filters}&{query}")
        assert response.status_code == 200
        page = response.context["page"]
        seen += [s.pk for s in page.object_list]
        query = getattr(page, step)
        pages += 1
    return seen, page


def test_going_older_reaches_every_row_exactly_once(client, world, team, small_pages):
    now = timezone.now()
    made = [_signal(team, now - dt.timedelta(hours=i), f"M{i}") for i in range(11)]
    # Three signals at the very same moment: the id breaks the tie, none is skipped.
    same = now - dt.timedelta(hours=5, minutes=30)
    made += [_signal(team, same, f"Tegelijk {i}") for i in range(3)]
    client.force_login(world.users[Role.CLIENT_STAFF])
    seen, last = _walk(client, _url(world), "status=new", "", "older")
    assert sorted(seen) == sorted(s.pk for s in made) and len(seen) == len(set(seen))
    newest_first = sorted(made, key=lambda s: (s.reported_at, s.pk), reverse=True)
    assert seen == [s.pk for s in newest_first]
    assert last.number is None  # the last pages are keyset pages
    # Back from the oldest page with "newer": again every row once, in the same order.
    back, _first = _walk(client, _url(world), "status=new", last.newer, "newer")
    assert len(back) == len(set(back))
    assert sorted(back + [s.pk for s in last.object_list]) == sorted(seen)


def test_the_next_link_keeps_the_filter(client, world, team, small_pages):
    now = timezone.now()
    for i in range(20):
        _signal(team, now - dt.timedelta(hours=i), f"M{i}", urgent=i % 2 == 0)
    client.force_login(world.users[Role.CLIENT_STAFF])
    page = client.get(_url(world), {"urgent": "1", "page": "2"}).content.decode()
    assert "urgent=1&amp;before=" in page  # page 2 is the last numbered one: Next is a keyset


def test_a_page_number_past_the_numbered_pages_says_how_to_go_on(client, world, team, small_pages):
    now = timezone.now()
    for i in range(12):
        _signal(team, now - dt.timedelta(hours=i), f"M{i}")
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.get(_url(world), {"page": "999999999999"})
    assert response.status_code == 200 and response.context["page"].number == 2
    assert "hebben geen nummer" in response.content.decode()
    junk = client.get(_url(world), {"before": "gisteren", "after": "x" * 500})
    assert junk.status_code == 200 and junk.context["page"].number == 1
    assert "klopt niet" in junk.content.decode()


def test_keyset_page_keeps_the_query_count(client, world, team, small_pages):
    now = timezone.now()
    for i in range(10):
        _signal(team, now - dt.timedelta(hours=i), f"M{i}")
    client.force_login(world.users[Role.CLIENT_STAFF])
    first = client.get(_url(world), {"page": "2"}).context["page"]

    def queries(query):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{_url(world)}?{query}").status_code == 200
        return len(ctx)

    small = (queries(""), queries(first.older))
    for i in range(40):
        _signal(team, now - dt.timedelta(hours=20 + i), f"N{i}")
    first = client.get(_url(world), {"page": "2"}).context["page"]
    assert (queries(""), queries(first.older)) == small


def test_counts_stop_at_the_cap_and_say_so(client, world, team, monkeypatch):
    for module in (selectors, selectors.portal):  # the pages read the package's
        monkeypatch.setattr(module, "COUNT_CAP", 3)
    now = timezone.now()
    for i in range(5):
        _signal(team, now - dt.timedelta(hours=i), f"M{i}", urgent=i == 0)
    staff = world.users[Role.CLIENT_STAFF]
    counts = selectors.signal_counts_for_client(user=staff, organisation=world.client)
    assert counts == {"open": 4, "urgent": 1, "overdue": 0}  # 4: more than 3
    client.force_login(staff)
    page = client.get(_url(world)).content.decode()
    assert "Meer dan 3 meldingen passen bij het filter." in page
    assert "Pagina 1 van" not in page
    home = client.get(reverse("portal_home", kwargs={"org": world.client.slug}))
    cards = {c.label: c.count for c in home.context["cards"]}
    assert cards["of meer open meldingen"] == 3 and cards["dringende melding"] == 1
    exact = client.get(_url(world), {"urgent": "1"}).content.decode()
    assert "1 melding past bij het filter." in exact


def test_map_data_says_its_limit(client, world, team, monkeypatch):
    for module in (selectors, selectors.portal):  # the pages read the package's
        monkeypatch.setattr(module, "MAP_POINTS", 2)
    now = timezone.now()
    for i in range(3):
        _signal(team, now - dt.timedelta(hours=i), f"M{i}", latitude=52.09, longitude=5.12)
    client.force_login(world.users[Role.CLIENT_STAFF])
    data = client.get(reverse("patrols:portal_signal_map", kwargs={"org": world.client.slug}))
    body = data.json()
    assert [s["text"] for s in body["signals"]] == ["M0", "M1"]
    assert body["truncated"] is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL")
def test_list_query_uses_an_index(world, team):
    _signal(team, timezone.now(), "M0")
    qs = selectors.signals_for_client(
        user=world.users[Role.CLIENT_STAFF], organisation=world.client
    ).order_by("-reported_at", "-pk")[:50]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "signal_org_newest" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL")
def test_no_portal_query_reads_the_whole_signals_table(client, world, team):
    """Every query on the signals of the list (first, numbered, keyset pages; each filter),
    the map, the nearest addresses and the counts has an index to read: with sequential scans
    priced out, PostgreSQL still picks none on patrols_signal (a query no index serves would)."""
    now = timezone.now()
    for i in range(6):
        at = now - dt.timedelta(days=i)
        _signal(team, at, f"M{i}", latitude=52.09 + i / 10000, longitude=5.12, urgent=i == 0)
        # Given by position only: the list names the nearest earlier address.
        _signal(team, at, f"P{i}", street="", latitude=52.09 + i / 10000, longitude=5.1201)
    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    url = _url(world)
    day = timezone.localdate() - dt.timedelta(days=3)
    oldest = client.get(url).context["page"].object_list[-1]
    category, programme = team[2][0], team[0]
    queries = [
        "",
        "page=2",
        f"before={selectors.portal._cursor(oldest)}",
        f"after={selectors.portal._cursor(oldest)}",
        "status=in_progress",
        "status=open",
        f"start={day}&end={day}",
        "urgent=1",
        "overdue=1",
        f"category={category.pk}",
        f"programme={programme.pk}",
    ]
    map_url = reverse("patrols:portal_signal_map", kwargs={"org": world.client.slug})
    urls = [f"{url}?{q}" for q in queries] + [map_url, f"{map_url}?start={day}&end={day}"]
    urls.append(reverse("portal_home", kwargs={"org": world.client.slug}))
    checked = 0
    for page_url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page_url).status_code == 200
        for sql in (q["sql"] for q in ctx.captured_queries if "patrols_signal" in q["sql"]):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on patrols_signal" not in plan, f"{page_url}\n{sql}\n{plan}"
            checked += 1
    assert checked >= 2 * len(queries) + 3  # count and page of each list, map, counts
    counts = selectors.signal_counts_for_client(user=staff, organisation=world.client)
    assert counts["open"] == 12


def test_query_counts_stay_from_10_to_1000_signals(client, world, team):
    """The list (first, numbered and keyset pages, filtered), the map and the home page read
    as many queries with 1,000 signals, half of them given by position only, as with 10."""
    now = timezone.now()

    def add(start, n):
        for i in range(start, start + n):
            extra = {"street": ""} if i % 2 else {}
            lat = 52.09 + (i % 40) / 10000
            _signal(
                team, now - dt.timedelta(hours=i), f"M{i}", latitude=lat, longitude=5.12, **extra
            )

    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    url = _url(world)
    map_url = reverse("patrols:portal_signal_map", kwargs={"org": world.client.slug})
    home = reverse("portal_home", kwargs={"org": world.client.slug})
    day = timezone.localdate() - dt.timedelta(days=1)

    def counts():
        fifth = client.get(url).context["page"].object_list[4]  # older ones follow it
        keyset = f"before={selectors.portal._cursor(fifth)}"
        urls = [url, f"{url}?page=2", f"{url}?{keyset}", f"{url}?status=new&start={day}"]
        result = []
        for page_url in [*urls, map_url, home]:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(page_url).status_code == 200
            result.append(len(ctx))
        return result

    add(0, 10)
    small = counts()
    add(10, 990)
    assert counts() == small
    assert len(client.get(url).context["page"].object_list) == selectors.PAGE_SIZE


def test_the_count_reads_the_signals_alone(client, world, team):
    """The capped count joins nothing: the names the rows show are the page query's, so an
    index answers the count alone (a join made PostgreSQL scan the table at a million)."""
    _signal(team, timezone.now(), "M0", street="")
    client.force_login(world.users[Role.CLIENT_STAFF])
    for query in ("", "?status=in_progress", "?page=2", "?urgent=1"):
        with CaptureQueriesContext(connection) as ctx:
            client.get(_url(world) + query)
        (count,) = [q["sql"] for q in ctx.captured_queries if "capped_0" in q["sql"]]
        assert "JOIN" not in count.upper(), count

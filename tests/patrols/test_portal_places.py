"""Where a signal is, as a person recognises it: the street given, else the nearest known
address of an earlier signal; the small map of the point; the urgent and overdue filters."""

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols import selectors
from patrols import services as patrols
from patrols.models import Signal
from patrols.workflow import Status
from programmes.permissions import Role

# One metre north is about 0.000009 degrees of latitude; at 52° one metre east is about
# 0.0000146 degrees of longitude.
LAT, LNG = 52.090000, 5.120000
NORTH_M = 1 / 111_320
EAST_M = 1 / 68_540


def _signal(team, *, hours_ago=0, north=0.0, east=0.0, position=True, **extra):
    programme, member, categories = team
    data = dict(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description="Iets",
        reported_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )
    if position:
        data.update(latitude=LAT + north * NORTH_M, longitude=LNG + east * EAST_M)
    data.update(extra)
    return patrols.signal_report(**data)[0]


def _place(signal):
    (found,) = selectors.with_places([Signal.objects.get(pk=signal.pk)])
    return found.near_street, found.near_number


def test_nearest_earlier_address_within_75_metres(team):
    _signal(team, hours_ago=5, north=60, street="Verweg", house_number="1")
    _signal(team, hours_ago=4, north=20, street="Lindelaan", house_number="12")
    _signal(team, hours_ago=3, east=30, street="Dichtbij", house_number="")
    # later than the signal itself: not an earlier address, even though it is closest
    later = dict(hours_ago=0, north=1, street="Later", house_number="9")
    bare = _signal(team, hours_ago=1)
    _signal(team, **later)
    assert _place(bare) == ("Lindelaan", "12")


def test_east_of_the_point_counts_in_real_metres(team):
    # 60 m east is within reach, 90 m east is not (longitude degrees are shorter at 52°).
    _signal(team, hours_ago=3, east=90, street="Oostlaan", house_number="3")
    bare = _signal(team, hours_ago=1)
    assert _place(bare) == ("", "")
    _signal(team, hours_ago=2, east=60, street="Middenweg", house_number="")
    assert _place(bare) == ("Middenweg", "")


def test_no_address_further_than_75_metres_or_in_another_programme(team, world):
    from programmes import services

    _signal(team, hours_ago=3, north=80, street="Verweg", house_number="1")
    bare = _signal(team, hours_ago=1)
    assert _place(bare) == ("", "")
    # a signal of another programme of the same client, on the very same spot
    programme, member, _categories = team
    pl = world.users[Role.PROJECT_LEADER]
    other = services.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        name="Team Zuid",
        neighbourhood="Zuid",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    services.team_member_set_ready(
        actor=pl,
        member=services.team_member_add(actor=pl, programme=other, user=member),
        ready=True,
    )
    other_team = (other, member, patrols.categories_ensure(programme=other))
    _signal(other_team, hours_ago=2, street="Andereteam", house_number="2")
    assert _place(bare) == ("", "")


def test_the_nearest_wins_inside_and_past_the_small_ring(team):
    """PostgreSQL searches 10 m first, then 75 m: either way the nearest earlier address,
    and of two equally near the newest, as on SQLite."""
    _signal(team, hours_ago=9, north=9, street="Negen", house_number="9")
    _signal(team, hours_ago=8, north=-4, street="Vier", house_number="4")
    close = _signal(team, hours_ago=1)
    assert _place(close) == ("Vier", "4")
    # Nothing within 10 m of this one: 11 m beats 12 m and 70 m.
    _signal(team, hours_ago=9, east=1012, street="Twaalf", house_number="12")
    _signal(team, hours_ago=8, east=1070, street="Zeventig", house_number="70")
    _signal(team, hours_ago=7, east=1000, north=11, street="Elf", house_number="11")
    farther = _signal(team, hours_ago=1, east=1000)
    assert _place(farther) == ("Elf", "11")
    # Two addresses on the same spot: the newer names the place.
    _signal(team, hours_ago=9, east=2000, north=30, street="Oud", house_number="1")
    _signal(team, hours_ago=8, east=2000, north=30, street="Nieuw", house_number="2")
    tied = _signal(team, hours_ago=1, east=2000)
    assert _place(tied) == ("Nieuw", "2")
    found = selectors.nearest_addresses(signals=[close, farther, tied])
    assert found == {
        close.pk: ("Vier", "4"),
        farther.pk: ("Elf", "11"),
        tied.pk: ("Nieuw", "2"),
    }


def test_one_query_for_a_whole_page(team):
    _signal(team, hours_ago=10, street="Lindelaan", house_number="12")
    bare = [_signal(team, hours_ago=i, north=i) for i in range(1, 6)]
    with CaptureQueriesContext(connection) as ctx:
        found = selectors.nearest_addresses(signals=bare)
    assert len(ctx) == 1
    assert set(found.values()) == {("Lindelaan", "12")} and len(found) == 5
    own = Signal.objects.get(street="Lindelaan")
    with CaptureQueriesContext(connection) as ctx:
        assert selectors.nearest_addresses(signals=[own]) == {}
    assert len(ctx) == 0


def _url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.client.slug, **kwargs})


def test_detail_shows_street_and_number_and_coordinates_as_a_detail(client, world, team):
    client.force_login(world.users[Role.CLIENT_STAFF])
    signal = _signal(team, street="Lindelaan", house_number="12")
    page = client.get(_url(world, "patrols:portal_signal", signal_pk=signal.pk)).content.decode()
    assert "Lindelaan 12" in page
    assert "<summary>Coördinaten</summary>52.090000, 5.120000</details>" in page
    # no tile server in tests: the map box says so in words and loads no map script
    assert "geen kaartserver ingesteld" in page and "leaflet.js" not in page


def test_detail_without_street_names_the_nearest_address(client, world, team):
    client.force_login(world.users[Role.CLIENT_STAFF])
    _signal(team, hours_ago=3, north=30, street="Lindelaan", house_number="12")
    bare = _signal(team, hours_ago=1)
    far = _signal(team, hours_ago=1, north=500)
    nowhere = _signal(team, hours_ago=1, position=False)
    assert (
        "bij Lindelaan 12 (ongeveer)"
        in client.get(_url(world, "patrols:portal_signal", signal_pk=bare.pk)).content.decode()
    )
    assert (
        "Locatie op de kaart"
        in client.get(_url(world, "patrols:portal_signal", signal_pk=far.pk)).content.decode()
    )
    page = client.get(_url(world, "patrols:portal_signal", signal_pk=nowhere.pk)).content.decode()
    assert "Plaats niet opgegeven" in page and "geen kaartserver" not in page


def test_detail_map_with_a_tile_server(client, world, team, settings):
    settings.MAP_TILE_URL = "/static/img/icon-192.png?z={z}&x={x}&y={y}"
    client.force_login(world.users[Role.CLIENT_STAFF])
    signal = _signal(team, street="Lindelaan", house_number="12")
    response = client.get(_url(world, "patrols:portal_signal", signal_pk=signal.pk))
    config = response.context["map_config"]
    assert config["point"] == [LAT, LNG] and config["tiles"] == settings.MAP_TILE_URL
    page = response.content.decode()
    assert 'id="signal-map"' in page and "leaflet.js" in page and "signal-map-config" in page


def test_list_street_column(client, world, team):
    client.force_login(world.users[Role.CLIENT_STAFF])
    _signal(team, hours_ago=3, street="Lindelaan", house_number="12", description="Eerste")
    _signal(team, hours_ago=1, north=10, description="Tweede")
    _signal(team, hours_ago=1, north=900, description="Derde")
    page = client.get(_url(world, "patrols:portal_signals")).content.decode()
    assert "Lindelaan 12" in page
    assert "bij Lindelaan 12 (ongeveer)" in page and "Locatie op de kaart" in page


@pytest.fixture
def mix(world, team):
    """An urgent open signal, an overdue one, an urgent resolved one and a fresh one."""
    staff = world.users[Role.CLIENT_STAFF]
    urgent = _signal(team, description="Dringend open", urgent=True, street="A")
    overdue = _signal(team, hours_ago=24 * 30, description="Lang geleden", street="B")
    closed = _signal(team, description="Dringend klaar", urgent=True, street="C")
    patrols.signal_transition(actor=staff, signal=closed, status=Status.RESOLVED, text="Klaar")
    fresh = _signal(team, description="Gewoon vers", street="D")
    return urgent, overdue, closed, fresh


def _shown(client, url, query):
    page = client.get(url, query).content.decode()
    return {
        d for d in ("Dringend open", "Lang geleden", "Dringend klaar", "Gewoon vers") if d in page
    }


def test_urgent_and_overdue_filters(client, world, mix):
    client.force_login(world.users[Role.CLIENT_STAFF])
    url = _url(world, "patrols:portal_signals")
    assert _shown(client, url, {"status": "open", "urgent": "1"}) == {"Dringend open"}
    assert _shown(client, url, {"urgent": "1"}) == {"Dringend open", "Dringend klaar"}
    assert _shown(client, url, {"overdue": "1"}) == {"Lang geleden"}
    assert _shown(client, url, {"status": "open"}) == {
        "Dringend open",
        "Lang geleden",
        "Gewoon vers",
    }
    # "0" or junk is no filter, never an error page
    assert len(_shown(client, url, {"urgent": "0", "overdue": "ja\x00"})) == 4
    checked = client.get(url, {"urgent": "1"}).content.decode()
    assert re.search(r'<input type="checkbox" name="urgent"[^>]* checked', checked)


def test_counts_agree_with_the_filters(world, mix):
    counts = selectors.signal_counts_for_client(
        user=world.users[Role.CLIENT_STAFF], organisation=world.client
    )
    assert counts == {"open": 3, "urgent": 1, "overdue": 1}
    with CaptureQueriesContext(connection) as ctx:
        selectors.signal_counts_for_client(
            user=world.users[Role.CLIENT_STAFF], organisation=world.client
        )
    assert len(ctx) == 1


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_list_with_nearest_addresses_keeps_its_query_count(client, world, team):
    client.force_login(world.users[Role.CLIENT_STAFF])
    url = _url(world, "patrols:portal_signals")
    _signal(team, hours_ago=200, street="Lindelaan", house_number="12")
    first_bare = _signal(team, hours_ago=100, north=5)
    detail = _url(world, "patrols:portal_signal", signal_pk=first_bare.pk)
    small, small_detail = _queries(client, url), _queries(client, detail)
    for i in range(60):
        _signal(team, hours_ago=300 - i, north=i % 40, street=f"Straat {i}")
        _signal(team, hours_ago=99 - i, north=i % 40)
    assert _queries(client, url) == small
    assert _queries(client, detail) == small_detail


def test_nearest_addresses_read_the_index_by_band_and_longitude(team):
    """The lookup narrows the index by programme, latitude band and longitude (not by
    programme alone, which reads every address of a large programme per signal)."""
    _signal(team, hours_ago=10, street="Lindelaan", house_number="12")
    bare = _signal(team, hours_ago=1, north=5)
    with CaptureQueriesContext(connection) as ctx:
        assert selectors.nearest_addresses(signals=[bare]) == {bare.pk: ("Lindelaan", "12")}
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "signal_addresses_nearby (programme_id=? AND <expr>=? AND longitude>?" in plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            # Tiny tables let the planner pick any index; the condition is one an index takes.
            assert "Seq Scan on patrols_signal" not in plan and "= ANY(ARRAY[" in sql

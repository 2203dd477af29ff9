"""The dashboard's figures are computed once per summaries' refresh: a second look at the same
period reads them from the cache, a refresh shows what changed, and each language and each
set of programmes keeps its own."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.services.summary import summaries_rebuild

from .test_dashboard import STAFF, _signals, _urls

MARCH = {"period": "custom", "start": "2027-03-01", "end": "2027-03-31", "bucket": "week"}


@pytest.fixture
def cached(settings):
    settings.REPORTING_DASHBOARD_CACHE_SECONDS = 300


def _get(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, MARCH, **extra)
    assert response.status_code == 200
    return response.context["figures"], len(queries)


def test_a_second_look_is_read_from_the_cache_until_the_summaries_move_on(
    world, team, login, unscoped, cached
):
    programme, _member, categories = team
    staff = login(world.users[STAFF])
    march = dt.datetime(2027, 3, 2, 10, tzinfo=dt.UTC)
    _signals(programme, categories[0], 4, reported_at=march)
    summaries_rebuild()
    url = _urls(programme)["client"]

    first, computed = _get(staff, url)
    again, cached_queries = _get(staff, url)
    assert first.totals["signals"] == again.totals["signals"] == 4
    assert cached_queries <= computed - 8  # the figures' own queries are skipped

    _signals(programme, categories[0], 3, reported_at=march)
    stale, _n = _get(staff, url)
    assert stale.totals["signals"] == 4  # as of the last refresh, as the page says
    summaries_rebuild()
    fresh, recomputed = _get(staff, url)
    assert fresh.totals["signals"] == 7
    assert recomputed >= computed - 1


def test_each_programme_and_language_has_its_own_figures(world, team, login, unscoped, cached):
    programme, _member, categories = team
    staff = login(world.users[STAFF])
    _signals(programme, categories[0], 2, reported_at=dt.datetime(2027, 3, 2, 10, tzinfo=dt.UTC))
    summaries_rebuild()
    urls = _urls(programme)
    all_of_them, _n = _get(staff, urls["client"])
    one, _n = _get(staff, urls["programme"])
    assert all_of_them.totals["signals"] == one.totals["signals"] == 2
    assert one.programme_ids == [programme.pk]
    world.users[STAFF].language = "en"
    world.users[STAFF].save(update_fields=["language"])
    in_english, _n = _get(staff, urls["client"])
    assert "Nieuw" in {s.label for s in all_of_them.signals_by_status}
    assert "New" in {s.label for s in in_english.signals_by_status}

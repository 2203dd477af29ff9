"""On PostgreSQL, the dashboard's and the summaries' queries read ranges of their indexes,
never a whole table that grows by the million: the figures read the summaries' (programme,
day) index; the refresh finds what changed through the indexes on `Signal.created_at` and
`SignalEvent.created_at`, and a day's closes through the one on `closed_at`."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from reporting.selectors.figures import period_figures
from reporting.services.summary import summaries_refresh, summary_cells_rewrite

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL")


def _plans(captured, table):
    out = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for q in captured:
            if f'"{table}"' in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN " + q["sql"])
                out.append("\n".join(row[0] for row in cursor.fetchall()))
    return out


def test_the_figures_read_the_summaries_index(team):
    programme, *_ = team
    with CaptureQueriesContext(connection) as ctx, scopes_disabled():
        period_figures(programmes=[programme], start=dt.date(2027, 1, 1), end=dt.date(2028, 1, 1))
    for table, index in (
        ("reporting_signaldaysummary", "rep_signalday_prog_grain"),
        ("reporting_signalclosedsummary", "rep_signalclosed_prog_grain"),
        ("reporting_signalcellsummary", "rep_signalcell_prog_month"),
        ("reporting_signalopensummary", "rep_signalopen_prog_due"),
        ("patrols_conversation", "conversation_programme_time"),
    ):
        plans = _plans(ctx.captured_queries, table)
        assert plans, table
        for plan in plans:
            assert index in plan, plan
            assert f"Seq Scan on {table}" not in plan, plan


def test_the_refresh_and_a_rewrite_read_ranges_of_indexes(team):
    programme, *_ = team
    with CaptureQueriesContext(connection) as ctx:
        summaries_refresh()  # the first run rebuilds
        summaries_refresh()
        with scopes_disabled():
            summary_cells_rewrite(
                organisation_id=programme.organisation_id,
                programme_id=programme.pk,
                start=dt.date(2027, 1, 1),
                end=dt.date(2027, 1, 2),
            )
    plans = _plans(ctx.captured_queries, "patrols_signal") + _plans(
        ctx.captured_queries, "patrols_signalevent"
    )
    joined = "\n".join(plans)
    for index in ("signalevent_created", "signal_created", "signal_org_closed"):
        assert index in joined, joined
    assert "Seq Scan on patrols_signalevent" not in joined, joined

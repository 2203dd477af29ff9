"""The client's dashboard over 1,000,000 signals of one tenant among 20, on PostgreSQL.

Times, A B A B in the same loop (median of the rounds), each dashboard request as a whole
(login, permission checks, figures, charts, template) next to its floor: a hand-written SQL
query for the same figure (signals per month by category and status over the period) against
the index it reads: the summary table's (programme, grain, day) index, whole months from the
month rows and the days of the month under way from the day rows, as the page reads them.
For scale it also times that figure straight from the signals table (the indexed copy
`bench_signal_floor` of `bench/portal_signals.py`, made there), which is what the summaries
spare every request.
Prints the medians, the ratio, the 100 ms target, the page's queries and SQL time, the
Python process's own CPU time per page (a median of 5: the figure a busy machine inflates
least, as other processes' work does not count in it), and how
long the summaries' full rebuild and a 5-minute refresh take.

The data set is `bench/portal_signals.py`'s (`manage.py generate_data` in the database
`bench_signals`); run that first. Migrates the database (the summary tables), rebuilds the
summaries when they were never built:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_signals .venv/bin/python \
        bench/reporting_dashboard.py [ROUNDS]
"""

import os
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_signals"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)

import _setup  # noqa: E402 - puts the project on the path, picks the test settings

TARGET_MS = 100
PREFIX = "bench"

FLOOR_SQL = """
SELECT date_trunc('month', day) AS m, category_id, status, sum(signals)
FROM reporting_signaldaysummary
WHERE programme_id = ANY(%(programmes)s)
  AND ((grain = 'm' AND day >= %(start)s AND day < %(after)s)
       OR (grain = 'd' AND day >= %(after)s AND day < %(end)s))
GROUP BY 1, 2, 3
"""
RAW_SQL = """
SELECT date_trunc('month', reported_at AT TIME ZONE 'Europe/Amsterdam'), category_id, status,
       count(*)
FROM bench_signal_floor
WHERE organisation_id = %(org)s AND reported_at >= %(a)s AND reported_at < %(b)s
GROUP BY 1, 2, 3
"""


def main(rounds: int) -> None:
    import django

    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL to the bench database.")
    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from patrols.models import Signal
    from programmes.models import Organisation, Programme, User
    from programmes.permissions import Role
    from reporting.models import SummaryState
    from reporting.selectors.figures import period_bounds
    from reporting.services.summary import summaries_rebuild, summaries_refresh

    call_command("migrate", verbosity=0)
    # The script looks across tenants to find the large one and its staff member.
    with scopes_disabled():
        org = Organisation.objects.get(slug=f"{PREFIX}-klant-1")
        staff = User.objects.filter(organisation=org, role=Role.CLIENT_STAFF).first()
        total = Signal.objects.filter(organisation=org).count()
        programmes = list(Programme.objects.filter(organisation=org).values_list("pk", flat=True))
        all_signals = Signal.objects.count()
        state = SummaryState.objects.filter(key="signals").first()
    print(f"{all_signals:,} signals; {org.name} has {total:,} in {len(programmes)} programmes")
    if state is None or state.rebuilt_at is None:
        began = time.perf_counter()
        months = summaries_rebuild()
        took = time.perf_counter() - began
        print(f"summaries rebuilt: {months} programme-months in {took:.0f} s")
    began = time.perf_counter()
    cells = summaries_refresh()
    print(f"a refresh: {cells} cells in {(time.perf_counter() - began) * 1000:.0f} ms")
    with connection.cursor() as cursor:
        for table in ("day", "closed", "cell", "open"):  # fresh statistics, as autovacuum would
            cursor.execute(f"VACUUM ANALYZE reporting_signal{table}summary")
        cursor.execute("SELECT count(*) FROM reporting_signaldaysummary")
        print(f"day summary rows: {cursor.fetchone()[0]:,}")
        cursor.execute("SELECT to_regclass('bench_signal_floor')")
        has_copy = cursor.fetchone()[0] is not None

    client = Client()
    client.force_login(staff)
    today = timezone.localdate()
    start, end = period_bounds("last_12_months", today=today)
    aware = lambda d: timezone.make_aware(dt.datetime.combine(d, dt.time()))  # noqa: E731
    after = end.replace(day=1)  # the whole months, then the days of the month under way
    floor_args = {"programmes": programmes, "start": start, "after": after, "end": end}
    raw_args = {"org": org.pk, "a": aware(start), "b": aware(end)}

    def sql(query, args):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(query, args)
                cursor.fetchall()

        return run

    def page(path):
        def run():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return run

    base = _setup.url("reporting:dashboard", org=org.slug)
    one = _setup.url("reporting:programme_dashboard", org=org.slug, programme_pk=programmes[0])
    floor = sql(FLOOR_SQL, floor_args)
    cases = [
        ("client, last 12 months per month", page(f"{base}?period=last_12_months")),
        ("client, last 12 months per week", page(f"{base}?period=last_12_months&bucket=week")),
        ("client, this month", page(base)),
        ("one programme, last 12 months", page(f"{one}?period=last_12_months")),
    ]
    print(
        f"\n{'case':46} {'ms':>7} {'CPU ms':>7} {'SQL ms':>7} {'queries':>7} {'floor ms':>9} "
        f"{'x floor':>8} {'<100ms':>6}"
    )
    # Each case computed on every request (the cache off: what the first look after a
    # summaries' refresh costs), then as the product runs it (the figures kept until the next
    # refresh: what every further look at the same period costs).
    for mode, seconds in (("computed", 0), ("cached", 300)):
        with override_settings(REPORTING_DASHBOARD_CACHE_SECONDS=seconds):
            for label, fn in cases:
                _case(f"{label}, {mode}", fn, floor, rounds)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + FLOOR_SQL, floor_args)
        plan = [row[0].strip() for row in cursor.fetchall()]
    print("\nfloor's access path: " + next((p for p in plan if "Index" in p), plan[-1])[:90])
    if has_copy:
        raw = sql(RAW_SQL, raw_args)
        floor_ms, raw_ms = _setup.interleaved(floor, raw, rounds=min(rounds, 5), budget_s=60)
        print(
            f"the same figure from the signals themselves (indexed copy): {raw_ms:.0f} ms "
            f"against {floor_ms:.2f} ms from the summaries"
        )
    trivial = page(_setup.url("portal_home", org=org.slug))
    a_ms, _b = _setup.interleaved(trivial, trivial, rounds=rounds)
    print(f"(the portal home as the same user: {a_ms:.1f} ms)")


def _case(label, fn, floor, rounds) -> None:
    """Time one case A B A B against the floor and print its line."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    floor_ms, page_ms = _setup.interleaved(floor, fn, rounds=rounds, budget_s=60)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    sql_ms = sum(float(q["time"]) * 1000 for q in ctx.captured_queries)
    queries = len(ctx.captured_queries)  # read now: each request resets the query log
    cpu = []  # this process's own time: what a loaded machine inflates least
    for _ in range(5):
        began = time.process_time()
        fn()
        cpu.append((time.process_time() - began) * 1000)
    cpu_ms = sorted(cpu)[2]
    verdict = "yes" if page_ms < TARGET_MS else "no"
    print(
        f"{label:46} {page_ms:7.1f} {cpu_ms:7.1f} {sql_ms:7.1f} {queries:7d} "
        f"{floor_ms:9.2f} {page_ms / floor_ms:8.1f} {verdict:>6}",
        flush=True,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)

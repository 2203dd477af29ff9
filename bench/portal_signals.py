"""The client portal's signals over 1,000,000 signals of one tenant among 20, on PostgreSQL.

Times, A B A B in the same loop (median of the rounds): the portal's signal list (first page,
a deep page, filtered by status, filtered by period), its map data and the open/urgent/overdue
counts, each as a whole request (or the selector, for the counts) next to its floor: the same
query written by hand against a copy of the signals table that has the index the query needs
(`bench_signal_floor`; the product's own table is left as the migrations made it). Prints the
figures, the SQL time of each page and EXPLAIN (ANALYZE, BUFFERS) of the slowest query of every
case above the target.

The data set is made by `manage.py generate_data` in a throwaway database (created when
missing; a second run reuses it):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_signals .venv/bin/python \
        bench/portal_signals.py [ROUNDS]
"""

import os
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_signals"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)

import _setup  # noqa: E402,F401 - puts the project on the path, picks the test settings

TARGET_MS = 100
BIG = 1_000_000
PREFIX = "bench"


def ensure_database(db_url: str) -> None:
    """Create the throwaway database when it is missing."""
    import psycopg

    name = db_url.rsplit("/", 1)[1].split("?")[0]
    admin_url = db_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def ensure_data() -> None:
    """Migrate and generate the data set unless it is there already."""
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from programmes.models import Organisation

    call_command("migrate", verbosity=0)
    with scopes_disabled():  # a script, outside any request: looks across tenants
        present = Organisation.objects.filter(slug=f"{PREFIX}-bureau").exists()
    if not present:
        began = time.perf_counter()
        call_command(
            "generate_data",
            scale=0.2,
            tenants=20,
            programmes_per_tenant=3,
            large_tenant_signals=BIG,
            prefix=PREFIX,
        )
        print(f"data generated in {time.perf_counter() - began:.0f} s")


FLOOR_INDEXES = [
    "CREATE INDEX IF NOT EXISTS bench_floor_org_time ON bench_signal_floor "
    "(organisation_id, reported_at DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS bench_floor_org_status_time ON bench_signal_floor "
    "(organisation_id, status, reported_at DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS bench_floor_open_work ON bench_signal_floor "
    "(organisation_id, status, urgent, due_date)",
    "CREATE INDEX IF NOT EXISTS bench_floor_org_time_pos ON bench_signal_floor "
    "(organisation_id, reported_at DESC) WHERE latitude IS NOT NULL",
]


def ensure_floor_table(cursor) -> None:
    """A copy of the signals with the indexes the portal's queries need, vacuumed so counts
    can be answered from the index alone."""
    cursor.execute("SELECT to_regclass('bench_signal_floor')")
    if cursor.fetchone()[0] is None:
        began = time.perf_counter()
        cursor.execute("CREATE TABLE bench_signal_floor AS SELECT * FROM patrols_signal")
        cursor.execute("ALTER TABLE bench_signal_floor ADD PRIMARY KEY (id)")
        for sql in FLOOR_INDEXES:
            cursor.execute(sql)
        print(f"floor table made in {time.perf_counter() - began:.0f} s")
    cursor.execute("VACUUM ANALYZE bench_signal_floor")
    cursor.execute("VACUUM ANALYZE patrols_signal")


PAGE_SQL = """
SELECT s.id, s.description, s.status, s.urgent, s.street, s.house_number, s.reported_at,
       s.due_date, c.name, pc.name, p.name, p.neighbourhood, a.name, r.name
FROM (SELECT * FROM bench_signal_floor WHERE organisation_id = %(org)s {where}
      ORDER BY reported_at DESC, id DESC LIMIT 50 OFFSET %(offset)s) s
JOIN patrols_signalcategory c ON c.id = s.category_id
LEFT JOIN patrols_signalcategory pc ON pc.id = c.parent_id
JOIN programmes_programme p ON p.id = s.programme_id
LEFT JOIN programmes_user a ON a.id = s.assigned_to_id
LEFT JOIN programmes_user r ON r.id = s.reported_by_id
ORDER BY s.reported_at DESC, s.id DESC
"""
COUNT_SQL = "SELECT count(*) FROM bench_signal_floor WHERE organisation_id = %(org)s {where}"
MAP_SQL = """
SELECT s.id, s.latitude, s.longitude, s.status, c.name, s.description
FROM (SELECT * FROM bench_signal_floor
      WHERE organisation_id = %(org)s AND latitude IS NOT NULL AND longitude IS NOT NULL
      ORDER BY reported_at DESC LIMIT 2000) s
JOIN patrols_signalcategory c ON c.id = s.category_id
ORDER BY s.reported_at DESC
"""
COUNTS_SQL = """
SELECT count(*), count(*) FILTER (WHERE urgent), count(*) FILTER (WHERE due_date < %(today)s)
FROM bench_signal_floor WHERE organisation_id = %(org)s AND status = ANY(%(open)s)
"""


def main(rounds: int) -> None:
    import django

    db_url = os.environ["DATABASE_URL"]
    if not db_url.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL to a throwaway database.")
    ensure_database(db_url)
    django.setup()
    import datetime as dt

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from patrols.models import Signal
    from patrols.selectors import signal_counts_for_client
    from patrols.workflow import OPEN_STATUSES
    from programmes.models import Organisation, User
    from programmes.permissions import Role

    ensure_data()
    with connection.cursor() as cursor:
        ensure_floor_table(cursor)
    # The script looks across tenants to find the large one and its staff member.
    with scopes_disabled():
        org = Organisation.objects.get(slug=f"{PREFIX}-klant-1")
        staff = User.objects.filter(organisation=org, role=Role.CLIENT_STAFF).first()
        total = Signal.objects.filter(organisation=org).count()
        tenants = Organisation.objects.filter(consultancy__slug=f"{PREFIX}-bureau").count()
        all_signals = Signal.objects.count()
    print(f"{tenants} tenants, {all_signals:,} signals; {org.name} has {total:,}")

    client = Client()
    client.force_login(staff)
    base = _setup.url("patrols:portal_signals", org=org.slug)
    today = timezone.localdate()
    month_start = (today - dt.timedelta(days=365)).replace(day=1)
    month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    deep_page = total // 50 // 2
    period = f"start={month_start}&end={month_end}"
    aware = lambda d: timezone.make_aware(dt.datetime.combine(d, dt.time()))  # noqa: E731
    period_where = "AND reported_at >= %(a)s AND reported_at < %(b)s"
    period_args = {"a": aware(month_start), "b": aware(month_end + dt.timedelta(days=1))}

    parts = []  # (case, part, sql, params): each floor query, timed and explained on its own

    def floor(case, *queries):
        """Run the hand-written `queries` ((part, sql, args) each) of `case` as its floor."""
        bound = [(name, sql, {"org": org.pk, **args}) for name, sql, args in queries]
        parts.extend((case, name, sql, params) for name, sql, params in bound)

        def run():
            with connection.cursor() as cursor:
                for _name, sql, params in bound:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        return run

    def listing(case, where="", offset=0, **args):
        return floor(
            case,
            ("count", COUNT_SQL.format(where=where), args),
            ("page", PAGE_SQL.format(where=where), {"offset": offset, **args}),
        )

    def page(path):
        def run():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return run

    def counts():
        with scope(organisation=org.pk):
            signal_counts_for_client(user=staff, organisation=org)

    with connection.cursor() as cursor:  # where the deep page starts, for a keyset query
        cursor.execute(
            "SELECT reported_at, id FROM bench_signal_floor WHERE organisation_id = %s "
            "ORDER BY reported_at DESC, id DESC OFFSET %s LIMIT 1",
            [org.pk, deep_page * 50 - 51],
        )
        after_at, after_id = cursor.fetchone()
    keyset = "AND (reported_at, id) < (%(after_at)s, %(after_id)s)"
    open_args = {"today": today, "open": list(OPEN_STATUSES)}
    map_period = MAP_SQL.replace("AND latitude", period_where + " AND latitude")
    first, deep = "list, first page", f"list, page {deep_page:,} (keyset)"
    by_status, by_period = "list, status=in_progress", f"list, period {month_start:%Y-%m}"
    cases = [
        (first, page(base), listing(first)),
        # The list numbers its first pages only; deeper it goes on by "older than this
        # signal" (the Next link's cursor), which the index answers at any depth.
        (
            deep,
            page(f"{base}?before={after_at.astimezone(dt.UTC):%Y%m%d%H%M%S%f}-{after_id}"),
            listing(deep, where=keyset, after_at=after_at, after_id=after_id),
        ),
        (
            f"list, ?page={deep_page:,} (capped)",
            page(f"{base}?page={deep_page}"),
            listing("capped", offset=950),
        ),
        (
            by_status,
            page(f"{base}?status=in_progress"),
            listing(by_status, where="AND status = %(status)s", status="in_progress"),
        ),
        (
            by_period,
            page(f"{base}?{period}"),
            listing(by_period, where=period_where, **period_args),
        ),
        (
            "map data (2,000 newest)",
            page(f"{base}map.json"),
            floor("map data (2,000 newest)", ("map", MAP_SQL, {})),
        ),
        (
            f"map data, period {month_start:%Y-%m}",
            page(f"{base}map.json?{period}"),
            floor(f"map data, period {month_start:%Y-%m}", ("map", map_period, period_args)),
        ),
        (
            "counts (open, urgent, overdue)",
            counts,
            floor("counts (open, urgent, overdue)", ("counts", COUNTS_SQL, open_args)),
        ),
        ("portal home (cards with counts)", page(_setup.url("portal_home", org=org.slug)), None),
    ]
    # Not a product query: the deep page as a keyset query, what an index answers at any depth.
    floor(
        deep,
        ("keyset page (no OFFSET)", PAGE_SQL.format(where=keyset),
         {"offset": 0, "after_at": after_at, "after_id": after_id}),
    )  # fmt: skip

    def trivial_run():
        assert client.get(_setup.url("home")).status_code == 302

    print(
        f"\n{'case':34} {'ms':>8} {'SQL ms':>8} {'slowest':>8} {'queries':>7} "
        f"{'floor ms':>9} {'x floor':>8} {'<100ms':>6}"
    )
    slow = []
    for label, fn, floor_fn in cases:
        a_ms, b_ms = _setup.interleaved(floor_fn or trivial_run, fn, rounds=rounds, budget_s=90)
        with CaptureQueriesContext(connection) as ctx:
            fn()
        times = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
        sql_ms = sum(t for t, _ in times)
        worst = max(times, default=(0.0, ""))
        floor_label = f"{a_ms:9.2f}" if floor_fn else f"{'(view)':>9}"
        ratio = b_ms / a_ms
        print(
            f"{label:34} {b_ms:8.1f} {sql_ms:8.1f} {worst[0]:8.1f} {len(times):7d} "
            f"{floor_label} {ratio:8.1f} {'yes' if b_ms < TARGET_MS else 'no':>6}",
            flush=True,
        )
        if b_ms >= TARGET_MS:
            slow += [(label, t, sql) for t, sql in sorted(times, reverse=True)[:2] if t > 10]
    a_ms, _b = _setup.interleaved(trivial_run, trivial_run, rounds=rounds)
    print(f"(a trivial logged-in view, /home/ as the same user: {a_ms:.1f} ms)")

    print(f"\n{'floor part (hand-written, indexed copy)':56} {'ms':>8}  access path")
    for case, name, sql, params in parts:

        def one(sql=sql, params=params):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        ms, _same = _setup.interleaved(one, one, rounds=rounds)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        path = next((ln.strip() for ln in plan if "bench_signal_floor" in ln), plan[0].strip())
        print(f"{case + ': ' + name:56} {ms:8.1f}  {path.split('  (cost')[0][:70]}")

    for label, t, sql in slow:
        print(f"\n=== {label}: {t:.0f} ms\n{sql[:600]}{' ...' if len(sql) > 600 else ''}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print("\n".join(row[0] for row in cursor.fetchall()))
    print(f"\nmedian of up to {rounds} rounds; database {connection.settings_dict['NAME']}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)

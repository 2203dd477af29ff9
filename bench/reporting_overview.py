"""Time the consultancy's overview across clients at 50 and at 5,000 programmes against the
trivial logged-in page (the floor), and its query count at both sizes.

Each programme gets its plan (the generator's, ticked where due), three rounds at random ages
within the last 60 days walked in pairs, four signals (some open past their date) and, for one
programme in ten, a proposed candidate; so every flag is up somewhere and each one's subquery
reads real rows. Measured A B A B with the floor in the same loop, median of the rounds; also
the page filtered to one flag (the filter reads the same annotations).

Run: .venv/bin/python bench/reporting_overview.py [ROUNDS] [SIZES]   e.g. 9 50,5000
(SQLite by default; set DATABASE_URL to measure on PostgreSQL.)
"""

import os
import sys
import time

os.environ.setdefault("TEST_SQLITE_NAME", f"/tmp/bench-overview-{os.getpid()}.sqlite3")  # noqa: S108

from _setup import (  # noqa: E402
    django_with_test_db,
    interleaved,
    production_rendering,
    url,
    with_floor_page,
)

TARGET = 3.0


def build(size: int):
    """One consultancy with two clients sharing `size` programmes, each with rounds, signals
    and (one in ten) a waiting candidate; returns the consultancy admin."""
    import datetime as dt
    import random
    import uuid

    from django.utils import timezone
    from django_scopes import scopes_disabled

    from patrols.models import Round, Signal, SignalCategory
    from recruitment.models import Application
    from reporting.generate import Generator

    rng = random.Random(size)
    now = timezone.now()
    # Building the data writes rows of several tenants from a script, outside any request.
    with scopes_disabled():
        gen = Generator(prefix=f"o{size}", seed=size)
        consultancy, admin, leaders = gen.consultancy()
        tenants = gen.tenants(consultancy, 2, leaders=leaders)
        programmes = []
        for tenant in tenants:
            programmes += gen.programmes(tenant, size // 2, leaders=leaders)
        walkers = gen.team(programmes[0], 6)
        category = SignalCategory.objects.create(
            organisation=programmes[0].organisation, programme=programmes[0], name="Zwerfvuil"
        )
        rounds = Round.objects.bulk_create(
            Round(
                organisation_id=p.organisation_id,
                programme=p,
                started_by=walkers[0],
                started_at=now - dt.timedelta(hours=rng.randrange(60 * 24)),
                payload_hash="bench",
            )
            for p in programmes
            for _ in range(3)
        )
        through = Round.walkers.through
        through.objects.bulk_create(
            through(round_id=r.pk, user_id=w.pk) for r in rounds for w in rng.sample(walkers, 2)
        )
        today = timezone.localdate()
        Signal.objects.bulk_create(
            Signal(
                organisation_id=p.organisation_id,
                programme=p,
                category=category,
                reported_at=now - dt.timedelta(days=10),
                due_date=today + dt.timedelta(days=rng.randrange(-8, 8)),
                status=rng.choice(["new", "in_progress", "resolved"]),
                payload_hash="bench",
                uuid=uuid.uuid4(),
            )
            for p in programmes
            for _ in range(4)
        )
        Application.objects.bulk_create(
            Application(
                organisation_id=p.organisation_id,
                programme=p,
                name="Piet",
                email=f"piet{p.pk}@example.org",
                street="Laan",
                house_number="1",
                postcode="1234 AB",
                motivation="Graag",
                consent_text="ja",
                consent_at=now,
                stage="proposed",
                keep_until=today + dt.timedelta(days=365),
                created_at=now - dt.timedelta(days=12),
            )
            for p in programmes[::10]
        )
    from django.db import connection

    if connection.vendor == "postgresql":  # fresh statistics, as autovacuum would keep them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return admin


def main(rounds: int, sizes: list[int]) -> None:
    connection = django_with_test_db()
    production_rendering()
    floor_url = with_floor_page()
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    overview = url("reporting:overview")
    results = {}
    for size in sizes:
        began = time.perf_counter()
        admin = build(size)
        print(f"\n{size:,} programmes: data built in {time.perf_counter() - began:.1f} s")
        client = Client()
        client.force_login(admin)
        print(f"{'page':28} {'floor ms':>9} {'page ms':>9} {'queries':>8} {'x floor':>8}")
        for label, query in (("overview", ""), ("overview ?flag=signals", "?flag=signals_overdue")):

            def floor(client=client):
                assert client.get(floor_url).status_code == 200

            def page(client=client, target=overview + query):
                assert client.get(target).status_code == 200

            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as ctx:
                page()
            queries = len(ctx.captured_queries)
            floor_ms, page_ms = interleaved(floor, page, rounds=rounds)
            results.setdefault(label, {})[size] = (page_ms, queries, page_ms / floor_ms)
            print(
                f"{label:28} {floor_ms:9.2f} {page_ms:9.1f} {queries:8d} {page_ms / floor_ms:8.1f}",
                flush=True,
            )
    print(f"\nSummary (median of up to {rounds} rounds; queries must be constant)")
    for label, by_size in results.items():
        cells = " | ".join(
            f"{s:,}: {by_size[s][0]:.1f} ms, {by_size[s][1]} q, {by_size[s][2]:.1f}x floor"
            for s in sizes
        )
        print(f"{label:28} {cells}")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")


if __name__ == "__main__":
    n_rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    sizes = [int(s) for s in sys.argv[2].split(",")] if len(sys.argv) > 2 else [50, 5000]
    main(n_rounds, sizes)

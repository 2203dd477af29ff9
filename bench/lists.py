"""Time every list page of issue 12 at 50 and at 5,000 rows against a trivial logged-in view.

Each page is measured A B A B with its floor in the same loop (the floor: a trivial page behind
the same login, two-factor and permission checks as every page, requested by the same user; see
`floor_urls.py`), median of the rounds; the table gives ms, queries and the ratio to the floor
for each size, and the target (within 3x, queries constant). For comparison with earlier runs,
each size also prints the ratio to `/home/`, the logged-in redirect that was the floor before
(it skips the two-factor and permission checks). The data
comes from the builders of `manage.py generate_data`, put on one programme of one client so
every page shows the full size; a separate consultancy per size keeps the two sets apart.

Run: .venv/bin/python bench/lists.py [ROUNDS] [SIZES]   e.g. bench/lists.py 9 50,5000
(SQLite by default; set DATABASE_URL to measure on PostgreSQL.)
"""

import os
import sys
import time

os.environ.setdefault("TEST_SQLITE_NAME", f"/tmp/bench-lists-{os.getpid()}.sqlite3")  # noqa: S108

from _setup import (  # noqa: E402
    django_with_test_db,
    interleaved,
    production_rendering,
    url,
    with_floor_page,
)

TARGET = 3.0
SLOW_MS = 5_000  # a page slower than this is timed once


def build(size: int) -> dict:
    """One consultancy with two clients: `size` programmes (the workspace), and on the one
    programme of the first client `size` rows of each list; returns what the URLs need."""
    from django_scopes import scopes_disabled

    from reporting.generate import Generator

    # Building the data writes rows of several tenants from a script, outside any request.
    with scopes_disabled():
        gen = Generator(prefix=f"s{size}", seed=size)
        _consultancy, admin, leaders = gen.consultancy()
        # The focus client has one programme holding every list; the workspace's other
        # programmes belong to a second client, so the focus client's filters stay short.
        tenant, other = gen.tenants(_consultancy, 2, leaders=leaders)
        (focus,) = gen.programmes(tenant, 1, leaders=leaders)
        gen.programmes(other, size - 1, leaders=leaders)
        kit = gen.equip(focus, actor=leaders[0])
        team = gen.team(focus, size)
        gen.applications(focus, size, city=tenant.city)
        gen.door_visits(focus, size, city=tenant.city, by=team)
        gen.survey_responses(kit["survey"], kit["questions"], size, city=tenant.city)
        rounds = gen.rounds(focus, size, walkers=team)
        gen.signals(
            focus,
            size,
            categories=kit["categories"],
            city=tenant.city,
            rounds=rounds,
            reporters=team,
        )
        gen.outbox(focus, size)
        gen.audit(tenant.organisation, size, actors=[admin, *leaders, *tenant.staff])
    return {
        "admin": admin,
        "staff": tenant.staff[0],
        "org": tenant.organisation.slug,
        "programme": focus.pk,
        "survey": kit["survey"].pk,
    }


def pages(w: dict) -> list[tuple[str, str, str]]:
    """(label, who, URL) of every list page named in issue 12."""
    p = {"org": w["org"], "programme_pk": w["programme"]}
    return [
        ("workspace (programmes)", "admin", url("workspace")),
        ("selection (applications)", "admin", url("recruitment:programme_selection", **p)),
        ("campaign (doors)", "admin", url("recruitment:programme_campaign", **p)),
        (
            "survey results (responses)",
            "admin",
            url("recruitment:survey_results", survey_pk=w["survey"], **p),
        ),
        ("rounds (rounds, signals)", "admin", url("patrols:programme_rounds", **p)),
        ("portal signals (signals)", "staff", url("patrols:portal_signals", org=w["org"])),
        ("effort (members, rounds)", "admin", url("patrols:programme_effort", **p)),
        ("programme outbox (mails)", "admin", url("programme_outbox", **p)),
        ("workspace mail (mails)", "admin", url("mail_outbox")),
        ("audit log (entries)", "admin", url("audit_log")),
        ("users (accounts)", "admin", url("user_list")),
    ]


def main(rounds: int, sizes: list[int]) -> None:
    connection = django_with_test_db()
    production_rendering()
    floor_url = with_floor_page()
    home_url = url("home")
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = {}  # label -> {size: (ms, queries, ratio)}
    for size in sizes:
        began = time.perf_counter()
        world = build(size)
        print(f"\n{size:,} rows: data built in {time.perf_counter() - began:.1f} s", flush=True)
        clients = {}
        for who in ("admin", "staff"):
            clients[who] = Client()
            clients[who].force_login(world[who])
        print(
            f"{'page':32} {'floor ms':>9} {'page ms':>9} {'queries':>8} {'x floor':>8}"
            f" {'x redirect':>10}"
        )
        for label, who, page_url in pages(world):
            client = clients[who]

            def floor(client=client):
                assert client.get(floor_url).status_code == 200

            def redirect(client=client, home=home_url):
                assert client.get(home).status_code == 302

            def page(client=client, page_url=page_url):
                response = client.get(page_url)
                assert response.status_code == 200, (page_url, response.status_code)

            # The first request counts the queries; a page slower than SLOW_MS is not repeated
            # (its one time stands, marked *): the slowest take minutes at 5,000 rows.
            connection.queries_log.clear()  # the log is capped: a full one would count 0
            with CaptureQueriesContext(connection) as ctx:
                began = time.perf_counter()
                page()
                first_ms = (time.perf_counter() - began) * 1000
            queries = len(ctx.captured_queries)
            if first_ms > SLOW_MS:
                floor_ms, _ = interleaved(floor, floor, rounds=3)
                page_ms, mark = first_ms, "*"
            else:
                floor_ms, page_ms = interleaved(floor, page, rounds=rounds)
                mark = ""
            redirect_ms, _ = interleaved(redirect, floor, rounds=min(rounds, 5))
            ratio = page_ms / floor_ms
            results.setdefault(label, {})[size] = (page_ms, queries, ratio)
            print(
                f"{label:32} {floor_ms:9.2f} {page_ms:9.1f}{mark:1} {queries:7d} {ratio:8.1f}"
                f" {page_ms / redirect_ms:10.1f}",
                flush=True,
            )

    print(
        f"\nSummary (median of up to {rounds} rounds; target: within {TARGET:g}x, queries constant)"
    )
    head = " | ".join(f"{s:>6,} ms  q  x floor" for s in sizes)
    print(f"| {'page':30} | {head} | target met |")
    for label, by_size in results.items():
        cells = " | ".join(
            f"{by_size[s][0]:9.1f} {by_size[s][1]:3d} {by_size[s][2]:7.1f}" for s in sizes
        )
        queries = {by_size[s][1] for s in sizes}
        met = all(by_size[s][2] <= TARGET for s in sizes) and len(queries) == 1
        print(f"| {label:30} | {cells} | {'yes' if met else 'no':10} |")
    db = connection.settings_dict
    print(f"* timed once (slower than {SLOW_MS / 1000:g} s)")
    print(f"database: {connection.vendor} {db['NAME']}")


if __name__ == "__main__":
    n_rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    sizes = [int(s) for s in sys.argv[2].split(",")] if len(sys.argv) > 2 else [50, 5000]
    main(n_rounds, sizes)

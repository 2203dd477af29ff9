"""The signals export (CSV and XLSX) over 1,000,000 signals of one tenant among 20, on
PostgreSQL, against floors in the same run: rows per second and peak memory.

Each case runs in a process of its own (so its peak RSS is its own), over the same rows: every
signal of the large tenant, oldest first, read by the same index:

- floor COPY: `COPY (SELECT the export's columns ...) TO STDOUT (FORMAT csv)`, the rows as the
  database writes them, read and thrown away: what no Python code can beat;
- floor cursor: a hand-written server-side cursor loop (psycopg, 2,000 rows a fetch) writing
  the same columns with `csv.writer` to nowhere: the least Python can do per row;
- export CSV and export XLSX: the whole request through Django (login, tenancy, permission,
  filters, audit entry), its streamed body read to the end, the row limit above which an
  export is made in the background (`STREAM_MAX_ROWS`) lifted so the streamed path itself is
  timed at any size;
- job CSV and job XLSX: the background export of the same rows (`export_job_build`: the
  exact count, the file written to a temporary file and saved to storage).

At the end it prints how long a streamed export at each limit takes at the rates measured:
the limits are chosen so that stays near 10 s on a loaded machine.

Prints, per case, rows, seconds, rows/s, the ratio to each floor, and the growth of the
process's resident memory over its size before the export (peak RSS minus baseline), at a
tenth of the rows and at all of them: flat memory means the growth does not follow the rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_signals .venv/bin/python \
        bench/reporting_export.py [FRACTION ...]   (default: 0.1 1.0)

The data set is the one `bench/portal_signals.py` makes (run it first); this script only reads
it (a login session, the export's audit entries and the background jobs, whose rows and files
it removes again, are its only writes).
"""

import json
import os
import resource
import subprocess
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_signals"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)

import _setup  # noqa: E402,F401 - puts the project on the path, picks the test settings

PREFIX = "bench"
COLUMNS = (
    "id, programme_id, reported_at, category_id, status, street, house_number, urgent,"
    " due_date, closed_at"
)


def rss_kb() -> int:
    """The process's resident memory now, in KiB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def setup():
    import django

    django.setup()
    from django_scopes import scopes_disabled

    from programmes.models import Organisation, User
    from programmes.permissions import Role

    with scopes_disabled():  # a script: finds the large tenant and its staff member
        org = Organisation.objects.get(slug=f"{PREFIX}-klant-1")
        staff = User.objects.filter(organisation=org, role=Role.CLIENT_STAFF).first()
    return org, staff


def period(org, fraction: float):
    """(first day, last day, since, until) covering the newest `fraction` of the tenant's
    signals' time span (all of them at 1.0)."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(reported_at), MAX(reported_at) FROM patrols_signal"
            " WHERE organisation_id = %s",
            [org.pk],
        )
        low, high = cursor.fetchone()
    low, high = timezone.localtime(low).date(), timezone.localtime(high).date()
    start = high - dt.timedelta(days=int((high - low).days * fraction))
    aware = lambda d: timezone.make_aware(dt.datetime.combine(d, dt.time()))  # noqa: E731
    return start, high, aware(start), aware(high + dt.timedelta(days=1))


def case_floor_copy(org, fraction):
    from django.db import connection

    start, end, since, until = period(org, fraction)
    sql = (
        f"COPY (SELECT {COLUMNS} FROM patrols_signal WHERE organisation_id = %s"  # noqa: S608
        " AND reported_at >= %s AND reported_at < %s ORDER BY reported_at, id)"
        " TO STDOUT (FORMAT csv)"
    )
    base = rss_kb()
    began = time.perf_counter()
    rows = size = 0
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(sql, [org.pk, since, until]) as cp:
        for data in cp:
            size += len(data)
            rows += bytes(data).count(b"\n")
    return rows, time.perf_counter() - began, size, base


def case_floor_cursor(org, fraction):
    import csv

    from django.db import connection

    class Nowhere:
        def write(self, text):
            return len(text)

    start, end, since, until = period(org, fraction)
    base = rss_kb()
    began = time.perf_counter()
    rows = 0
    writer = csv.writer(Nowhere(), delimiter=";")
    connection.ensure_connection()
    raw = connection.connection
    with raw.transaction(), raw.cursor(name="bench_floor") as cursor:
        cursor.execute(
            f"SELECT {COLUMNS} FROM patrols_signal WHERE organisation_id = %s"  # noqa: S608
            " AND reported_at >= %s AND reported_at < %s ORDER BY reported_at, id",
            [org.pk, since, until],
        )
        while batch := cursor.fetchmany(2000):
            for row in batch:
                writer.writerow(row)
            rows += len(batch)
    return rows, time.perf_counter() - began, 0, base


def case_export(org, staff, fraction, fmt):
    from django.test import Client
    from django.urls import reverse

    from reporting.exports import formats

    formats.STREAM_MAX_ROWS.update(csv=10**9, xlsx=10**9)  # the streamed path at any size

    start, end, _since, _until = period(org, fraction)
    client = Client()
    client.force_login(staff)
    url = reverse("reporting:export", kwargs={"org": org.slug, "dataset": "signals", "fmt": fmt})
    # A warm-up on one day: imports and first queries are not billed to the export.
    b"".join(client.get(url, {"start": end, "end": end}).streaming_content)
    base = rss_kb()
    began = time.perf_counter()
    response = client.get(url, {"start": start.isoformat(), "end": end.isoformat()})
    assert response.status_code == 200, response.status_code
    rows = size = 0
    for piece in response.streaming_content:
        size += len(piece)
        if fmt == "csv":
            rows += piece.count(b"\n")
    response.close()
    return (rows - 1 if fmt == "csv" else None), time.perf_counter() - began, size, base


def case_job(org, staff, fraction, fmt):
    from django.core.files.storage import default_storage
    from django_scopes import scope

    from reporting.models import ExportJob
    from reporting.services.exports import export_job_build

    start, end, _since, _until = period(org, fraction)
    with scope(organisation=org.pk):
        job = ExportJob.objects.create(
            organisation=org,
            requested_by=staff,
            dataset="signals",
            file_format=fmt,
            filters={"start": start.isoformat(), "end": end.isoformat()},
            request_key=f"bench-{fmt}-{fraction}",
        )
        base = rss_kb()
        began = time.perf_counter()
        assert export_job_build(job_id=job.pk) == "ready"
        seconds = time.perf_counter() - began
        job.refresh_from_db()
        size = default_storage.size(job.file.name)
        default_storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).delete()
    return job.total, seconds, size, base


def child(name: str, fraction: float) -> None:
    org, staff = setup()
    if name == "floor_copy":
        result = case_floor_copy(org, fraction)
    elif name == "floor_cursor":
        result = case_floor_cursor(org, fraction)
    elif name.startswith("job_"):
        result = case_job(org, staff, fraction, name.split("_")[1])
    else:
        result = case_export(org, staff, fraction, name.split("_")[1])
    rows, seconds, size, base = result
    print(
        json.dumps(
            {"rows": rows, "seconds": seconds, "bytes": size, "base_kb": base, "peak_kb": peak_kb()}
        )
    )


def explain() -> None:
    """The plan of the export's query over every signal of the tenant."""
    org, staff = setup()
    from django.db import connection
    from django_scopes import scope

    from reporting.selectors.exports import export_scope, signal_rows

    start, end, _, _ = period(org, 1.0)
    with scope(organisation=org.pk):
        qs = signal_rows(
            scope=export_scope(
                user=staff, organisation=org, programme_pk=None, start=start, end=end
            )
        )
        sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        print("plan of the export's query:")
        for (line,) in cursor.fetchall():
            print("   ", line)


def run(name: str, fraction: float) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--case", name, str(fraction)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(fractions: list[float]) -> None:
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL to the bench database.")
    explain()
    from reporting.exports.formats import STREAM_MAX_ROWS

    cases = ["floor_copy", "floor_cursor", "export_csv", "export_xlsx", "job_csv", "job_xlsx"]
    rates = {}
    for fraction in fractions:
        results = {name: run(name, fraction) for name in cases}
        rows = results["floor_copy"]["rows"]
        print(f"\n{rows:,} signals ({fraction:.0%} of the tenant's time span)")
        print(
            f"{'case':<14}{'rows':>11}{'s':>8}{'rows/s':>11}{'x COPY':>8}{'x cursor':>9}"
            f"{'MB out':>8}{'RSS growth MB':>15}"
        )
        for name in cases:
            r = results[name]
            n = r["rows"] if r["rows"] is not None else rows
            per_s = n / r["seconds"]
            rates[name] = min(per_s, rates.get(name, per_s))
            growth = (r["peak_kb"] - r["base_kb"]) / 1024
            print(
                f"{name:<14}{n:>11,}{r['seconds']:>8.1f}{per_s:>11,.0f}"
                f"{r['seconds'] / results['floor_copy']['seconds']:>8.1f}"
                f"{r['seconds'] / results['floor_cursor']['seconds']:>9.1f}"
                f"{r['bytes'] / 1e6:>8.1f}{growth:>15.1f}"
            )
        if results["export_csv"]["rows"] != rows:
            print(f"!! the CSV has {results['export_csv']['rows']:,} rows, the floor {rows:,}")
    for fmt in ("csv", "xlsx"):
        limit, rate = STREAM_MAX_ROWS[fmt], rates[f"export_{fmt}"]
        print(
            f"streamed {fmt.upper()} at its limit of {limit:,} rows: {limit / rate:.1f} s"
            f" at the slowest {rate:,.0f} rows/s measured here"
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--case":
        child(sys.argv[2], float(sys.argv[3]))
    else:
        main([float(f) for f in sys.argv[1:]] or [0.1, 1.0])

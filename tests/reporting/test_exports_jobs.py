"""Large exports made in the background: a small export still streams at once; over the row
limit a job is asked for (once per request within a minute), its file made by the task with
the same content as the streamed download, shown with progress and downloadable by its
requester only, deleted after a week; a dead worker's job is requeued and finished, and a job
that keeps failing ends visibly failed with "try again"."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from programmes.permissions import Role

from . import test_exports
from .test_exports import _csv, _url, _xlsx

# The exports' March of signals, rounds and conversations: the fixture `data`, shared.
march = test_exports.data

pytestmark = pytest.mark.usefixtures("unscoped")


@pytest.fixture
def limits(monkeypatch):
    """The row limits made small: the fixture's March has 3 signals, 2 rounds... streamed
    when at or under the limit."""
    from reporting.exports import formats

    def set_limits(csv, xlsx):
        monkeypatch.setitem(formats.STREAM_MAX_ROWS, "csv", csv)
        monkeypatch.setitem(formats.STREAM_MAX_ROWS, "xlsx", xlsx)

    return set_limits


@pytest.fixture
def fast(monkeypatch):
    from reporting.tasks import exports as tasks

    monkeypatch.setattr(tasks, "EXPORT_EAGER_PAUSES", (0,))


def _job_url(world, job, name="reporting:export_job"):
    return reverse(name, kwargs={"org": world.client.slug, "job_pk": job.pk})


def _ask(client, world, fmt, capture, *, run=True, **query):
    """Ask for the signals' export of March; with `run`, the queued task runs (eagerly, once
    the request's transaction commits)."""
    with capture(execute=run):
        return client.get(_url(world, "signals", fmt, **query))


def _download(client, world, job) -> bytes:
    response = client.get(_job_url(world, job, "reporting:export_job_download"))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_limits_keep_a_request_short():
    """At the slowest rate measured (2,914 CSV and 956 XLSX rows/s on a loaded machine) a
    streamed export at its limit takes about 10 seconds, well under the 30 a request gets."""
    from reporting.exports.formats import STREAM_MAX_ROWS

    assert STREAM_MAX_ROWS["csv"] / 2914 <= 12
    assert STREAM_MAX_ROWS["xlsx"] / 956 <= 12
    assert STREAM_MAX_ROWS["xlsx"] < STREAM_MAX_ROWS["csv"]  # XLSX sends nothing until done


def test_small_export_streams_at_once(
    client, world, march, limits, django_capture_on_commit_callbacks
):
    from reporting.models import ExportJob

    limits(csv=3, xlsx=3)  # March has exactly 3 signals
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = _ask(client, world, "csv", django_capture_on_commit_callbacks)
    assert isinstance(response, StreamingHttpResponse)
    assert len(_csv(response)) == 4
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_large_export_is_made_in_the_background_with_the_same_content(
    client, world, march, limits, fmt, django_capture_on_commit_callbacks
):
    from programmes.models import AuditEntry, Notification
    from reporting.models import ExportJob

    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    streamed = client.get(_url(world, "signals", fmt))  # under the real limits: streamed
    limits(csv=2, xlsx=2)
    response = _ask(client, world, fmt, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _job_url(world, job)
    assert (job.requested_by, job.dataset, job.file_format, job.status) == (
        staff,
        "signals",
        fmt,
        ExportJob.Status.READY,
    )
    assert job.total == 3  # counted up to the limit + 1
    assert job.attempts == 1
    assert job.filters == {"start": "2026-03-01", "end": "2026-03-31"}
    name = f"meldingen-{world.client.slug}-2026-03-01-2026-03-31.{fmt}"
    assert job.download_name == name
    assert job.expires_at - job.finished_at == dt.timedelta(days=7)
    body = _download(client, world, job)
    if fmt == "csv":
        assert body == b"".join(streamed.streaming_content)
    else:
        ours = client.get(_job_url(world, job, "reporting:export_job_download"))
        assert ours["Content-Disposition"] == f'attachment; filename="{name}"'
        assert _xlsx(ours)[0] == _xlsx(streamed)[0]
    # Logged as every export is (the streamed one and this one), with the job.
    entries = list(AuditEntry.objects.filter(action="data_export.downloaded").order_by("pk"))
    assert len(entries) == 2
    assert entries[1].data == {
        "dataset": "signals",
        "format": fmt,
        "programme": None,
        "start": "2026-03-01",
        "end": "2026-03-31",
        "job": job.pk,
    }
    # The requester is told, with a link to the job's page.
    notice = Notification.objects.get(kind="data_export.ready")
    assert notice.recipient == staff
    assert notice.url == _job_url(world, job)
    assert notice.title == "Je export is klaar"


def test_progress_page_then_the_link(
    client, world, march, limits, django_capture_on_commit_callbacks
):
    from reporting.models import ExportJob

    limits(csv=2, xlsx=2)
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = _ask(client, world, "xlsx", django_capture_on_commit_callbacks, run=False)
    job = ExportJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Je export wordt gemaakt" in page
    assert "0 van 3 rijen geschreven" in page
    status_url = _job_url(world, job, "reporting:export_job_status")
    assert f'hx-get="{status_url}?poll=1"' in page
    ExportJob.objects.filter(pk=job.pk).update(done=2)
    fragment = client.get(status_url, {"poll": "3"}).content.decode()
    assert "2 van 3 rijen geschreven" in fragment
    assert '<progress class="progress-plan w-100" max="100" value="67"' in fragment  # 2 of 3
    assert f'hx-get="{status_url}?poll=4"' in fragment
    assert 'hx-trigger="load delay:8s"' in fragment  # backing off: 1, 2, 4, 8 ...
    from reporting.services.exports import export_job_build

    assert export_job_build(job_id=job.pk) == "ready"
    fragment = client.get(status_url).content.decode()
    assert "hx-get" not in fragment  # finished: stops asking
    assert _job_url(world, job, "reporting:export_job_download") in fragment
    assert "Alleen jij kunt dit bestand downloaden" in fragment


def test_only_the_requester_may_see_or_download_it(
    client, world, other_world, march, limits, django_capture_on_commit_callbacks
):
    from reporting.models import ExportJob

    limits(csv=2, xlsx=2)
    client.force_login(world.users[Role.CLIENT_STAFF])
    _ask(client, world, "csv", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    names = (
        "reporting:export_job",
        "reporting:export_job_status",
        "reporting:export_job_download",
    )
    for name in names:
        assert client.get(_job_url(world, job, name)).status_code == 200
    # Readers of the same client's portal who did not ask for it: 404, as if it did not exist.
    for role in (Role.PROJECT_LEADER, Role.CONSULTANCY_ADMIN):
        client.force_login(world.users[role])
        for name in names:
            assert client.get(_job_url(world, job, name)).status_code == 404, (role, name)
        assert client.post(_job_url(world, job, "reporting:export_job_retry")).status_code == 404
    # Another client's staff: 404 on our client's URL, and on their own client's URL too.
    client.force_login(other_world.users[Role.CLIENT_STAFF])
    for name in names:
        assert client.get(_job_url(world, job, name)).status_code == 404
        url = reverse(name, kwargs={"org": other_world.client.slug, "job_pk": job.pk})
        assert client.get(url).status_code == 404
    client.force_login(world.users[Role.TEAM_MEMBER])
    assert client.get(_job_url(world, job, "reporting:export_job_download")).status_code == 403


def test_same_request_within_a_minute_is_one_job(
    client, world, march, limits, django_capture_on_commit_callbacks
):
    from programmes.models import AuditEntry
    from reporting.models import ExportJob
    from reporting.services.exports import DEDUPE_WITHIN

    limits(csv=2, xlsx=2)
    client.force_login(world.users[Role.CLIENT_STAFF])
    first = _ask(client, world, "csv", django_capture_on_commit_callbacks, run=False)
    second = _ask(client, world, "csv", django_capture_on_commit_callbacks, run=False)
    assert first["Location"] == second["Location"]
    assert ExportJob.objects.count() == 1
    assert AuditEntry.objects.filter(action="data_export.downloaded").count() == 1
    # Another format, or other filters: another job.
    _ask(client, world, "xlsx", django_capture_on_commit_callbacks, run=False)
    _ask(
        client,
        world,
        "csv",
        django_capture_on_commit_callbacks,
        run=False,
        programme=march["programme"].pk,
    )
    assert ExportJob.objects.count() == 3
    # The same request after the minute: a new one.
    ExportJob.objects.update(created_at=timezone.now() - DEDUPE_WITHIN - dt.timedelta(seconds=1))
    _ask(client, world, "csv", django_capture_on_commit_callbacks, run=False)
    assert ExportJob.objects.count() == 4


def test_expired_files_are_deleted_by_the_sweep(
    client, world, march, limits, django_capture_on_commit_callbacks
):
    from reporting.models import ExportJob
    from reporting.services.exports import export_jobs_sweep

    limits(csv=2, xlsx=2)
    client.force_login(world.users[Role.CLIENT_STAFF])
    _ask(client, world, "csv", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    name = job.file.name
    assert name.startswith("exports/") and default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_sweep(now=job.expires_at - dt.timedelta(minutes=1))["expired"] == 0
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_sweep(now=job.expires_at)["expired"] == 1
    job.refresh_from_db()
    assert (job.status, job.file.name) == (ExportJob.Status.EXPIRED, "")
    assert not default_storage.exists(name)
    assert client.get(_job_url(world, job, "reporting:export_job_download")).status_code == 404
    page = client.get(_job_url(world, job)).content.decode()
    assert "is een week bewaard en daarna verwijderd" in page


def test_a_dead_worker_is_requeued_and_the_job_finished(
    client, world, march, limits, django_capture_on_commit_callbacks
):
    from programmes.services.common import attempt_claim
    from reporting.models import ExportJob
    from reporting.services.exports import STALE_AFTER, export_jobs_sweep

    limits(csv=2, xlsx=2)
    client.force_login(world.users[Role.CLIENT_STAFF])
    _ask(client, world, "csv", django_capture_on_commit_callbacks, run=False)
    job = ExportJob.objects.get()
    # A worker took it up and died: the attempt stays, its sign of life grows old.
    started = timezone.now() - STALE_AFTER - dt.timedelta(seconds=1)
    attempt_claim(
        ExportJob, pk=job.pk, waiting="pending", attempt=None, now=started, stale_after=STALE_AFTER
    )
    ExportJob.objects.filter(pk=job.pk).update(done=2000)
    # Not yet stale: left alone.
    assert export_jobs_sweep(now=started + STALE_AFTER - dt.timedelta(seconds=1))["requeued"] == 0
    counts = export_jobs_sweep()  # requeued; the task runs (in-process) and finishes it
    assert counts == {"requeued": 1, "failed": 0, "expired": 0}
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportJob.Status.READY, 2)
    assert _download(client, world, job).count(b"\n") == 4


def test_repeated_failure_ends_visibly_failed_then_try_again(
    client, world, march, limits, fast, monkeypatch, django_capture_on_commit_callbacks
):
    from programmes.models import AuditEntry
    from reporting.models import ExportJob
    from reporting.services import exports as services

    def broken(export, target):
        raise OSError("disk full")  # transient: tried again, up to MAX_ATTEMPTS

    monkeypatch.setattr(services, "write_csv", broken)
    limits(csv=2, xlsx=2)
    client.force_login(world.users[Role.CLIENT_STAFF])
    _ask(client, world, "csv", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert (job.status, job.attempts) == (ExportJob.Status.FAILED, services.MAX_ATTEMPTS)
    assert "disk full" in job.error
    from django.conf import settings

    # No file was kept of the failed attempts.
    assert not [p for p in (settings.MEDIA_ROOT / "exports").rglob("*") if p.is_file()]
    page = client.get(_job_url(world, job)).content.decode()
    assert "Het maken van deze export is mislukt." in page
    assert "Probeer opnieuw" in page
    assert "disk full" not in page  # no technical text on screen
    assert client.get(_job_url(world, job, "reporting:export_job_download")).status_code == 404
    monkeypatch.undo()
    limits(csv=2, xlsx=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_job_url(world, job, "reporting:export_job_retry"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (ExportJob.Status.READY, 1, "")
    assert AuditEntry.objects.filter(action="data_export.retried").count() == 1


def test_a_job_whose_workers_keep_dying_is_failed_by_the_sweep(
    client, world, march, limits, django_capture_on_commit_callbacks
):
    from reporting.models import ExportJob
    from reporting.services.exports import MAX_ATTEMPTS, STALE_AFTER, export_jobs_sweep

    limits(csv=2, xlsx=2)
    client.force_login(world.users[Role.CLIENT_STAFF])
    _ask(client, world, "csv", django_capture_on_commit_callbacks, run=False)
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(
        attempts=MAX_ATTEMPTS, attempted_at=timezone.now() - STALE_AFTER - dt.timedelta(seconds=1)
    )
    assert export_jobs_sweep() == {"requeued": 0, "failed": 1, "expired": 0}
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == f"Could not be made after {MAX_ATTEMPTS} attempts."
    assert "Probeer opnieuw" in client.get(_job_url(world, job)).content.decode()


def test_an_attempt_the_sweep_took_over_stops_writing(
    world, march, limits, django_capture_on_commit_callbacks, monkeypatch
):
    """The slow attempt the sweep thought dead finds the job taken when it stamps its
    progress: it stops, and its file is not kept."""
    from reporting.models import ExportJob
    from reporting.services import exports as services

    staff = world.users[Role.CLIENT_STAFF]
    job, created = services.export_job_request(
        actor=staff,
        organisation=world.client,
        dataset="signals",
        file_format="csv",
        filters={"start": "2026-03-01", "end": "2026-03-31"},
        total=3,
    )
    assert created
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)
    real = services._counted

    def taken_over(job, rows):
        ExportJob.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
        return real(job, rows)

    monkeypatch.setattr(services, "_counted", taken_over)
    assert services.export_job_build(job_id=job.pk) == "skipped"
    job.refresh_from_db()
    assert (job.status, job.file.name) == (ExportJob.Status.PENDING, "")

"""PDFs through a real Celery worker and a private Redis, when things break.

A worker killed in the middle of a PDF leaves nothing stuck: the sweep queues the document
again and a new worker makes it; the message the dead worker held, delivered again, changes
nothing. A database that cannot be reached during the render is tried again with backoff,
then the document fails visibly, and "try again" makes it once the database is back.

The worker runs the project's settings plus a module of faults the test switches on through
the environment (worker_document_settings, worker_document_faults).
"""

import os
import signal
from datetime import timedelta

import pytest
from celery import Celery
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from programmes import services
from programmes.models import Document
from programmes.permissions import Role
from programmes.services.documents import MAX_ATTEMPTS

from .worker_support import (
    new_queue,
    private_redis,  # noqa: F401 - a fixture
    project_env,
    run_django,
    start_worker,
    stop_worker,
    wait_for,
)

SWEEP = """
from datetime import timedelta
from django.utils import timezone
from django_scopes import scopes_disabled
from programmes.services.documents import document_requeue_stale
with scopes_disabled():
    print(document_requeue_stale(now=timezone.now() + timedelta(minutes=10)))
"""

RETRY = """
from django_scopes import scopes_disabled
from programmes.models import Document
from programmes.services import document_retry
with scopes_disabled():
    print(document_retry(actor=None, document=Document.objects.get(pk={pk})).status)
"""


@pytest.fixture
def plan(world, transactional_db):
    """A programme of `world`'s client, and a function that adds a pending plan document."""
    with scopes_disabled():
        programme = services.programme_create(
            actor=world.users[Role.PROJECT_LEADER],
            client=world.client,
            project_leaders=[world.users[Role.PROJECT_LEADER]],
            name="BewonersTeam Noord",
            neighbourhood="Oude Noorden",
            municipality="Noordstad",
            start_date=timezone.localdate(),
        )

    def pending() -> Document:
        with scopes_disabled():
            return Document.objects.create(
                organisation=world.client, programme=programme, kind="plan"
            )

    return programme, pending


@pytest.fixture
def workers(private_redis, settings):  # noqa: F811 - the fixture imported above
    """Start workers on one queue of the private Redis; each gets the fault switches given.
    Every worker still running is stopped at the end, and its output shown on failure."""
    queue = new_queue()
    started = []

    def env(**faults):
        return project_env(
            private_redis.url,
            queue,
            DJANGO_SETTINGS_MODULE="tests.programmes.worker_document_settings",
            CELERY_RESULT_BACKEND=private_redis.url,
            DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
            **faults,
        )

    def start(**faults):
        proc = start_worker(env(**faults))
        started.append(proc)
        return proc

    start.env = env
    start.queue = queue
    start.sender = Celery(broker=private_redis.url, backend=private_redis.url, set_as_current=False)
    yield start
    for proc in started:
        output = stop_worker(proc)
        if output.strip():
            print(output)


def _document(pk: int) -> Document:
    with scopes_disabled():
        return Document.objects.get(pk=pk)


def _send(workers, document: Document):
    return workers.sender.send_task(
        "programmes.tasks.document_render",
        kwargs={"document_id": document.pk, "organisation_id": document.organisation_id},
        queue=workers.queue,
    )


@pytest.mark.worker
def test_a_worker_killed_mid_pdf_leaves_nothing_stuck(world, plan, workers):
    _, pending = plan
    document = pending()
    first = workers(TEST_DOCUMENT_SLOW="30")
    original = _send(workers, document)
    # The first worker has claimed the document and is in the middle of the PDF: kill it.
    assert wait_for(lambda: _document(document.pk).attempted_at is not None, timeout=30)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed = _document(document.pk)
    assert killed.status == Document.Status.PENDING and killed.attempts == 1

    workers()  # a new worker, without faults
    # The sweep, as it runs some minutes later, queues the document again.
    assert run_django(SWEEP, workers.env()).stdout.split() == ["1"]
    assert wait_for(lambda: _document(document.pk).status == Document.Status.READY, timeout=30)
    made = _document(document.pk)
    assert made.attempts == 2 and made.error == ""
    with made.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    # The message the dead worker held comes back one day (the broker's visibility timeout):
    # delivered again, it finds the PDF made and leaves it.
    again = _send(workers, document)
    assert again.get(timeout=30) == "skipped"
    assert _document(document.pk).file.name == made.file.name
    original.forget()


@pytest.mark.worker
def test_a_database_away_during_the_render_is_retried_then_fails_visibly(
    client, world, plan, workers, tmp_path
):
    programme, pending = plan
    document = pending()
    outage = tmp_path / "database-away"
    outage.touch()
    workers(TEST_DOCUMENT_DB_DOWN=str(outage), TEST_DOCUMENT_RETRY_SECONDS="0.2")
    started = timezone.now()
    _send(workers, document)
    assert wait_for(lambda: _document(document.pk).status != Document.Status.PENDING, timeout=30)
    failed = _document(document.pk)
    # Tried again after each failure (not given up at the first), then failed: not pending.
    assert failed.status == Document.Status.FAILED and failed.attempts == MAX_ATTEMPTS
    assert "Gave up after 5 attempts" in failed.error and "OperationalError" in failed.error
    assert started < failed.finished_at < started + timedelta(seconds=30)
    assert not failed.file

    # The page shows it failed, with "try again".
    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(
        reverse("programme_detail", kwargs={"org": world.client.slug, "programme_pk": programme.pk})
    ).content.decode()
    retry = reverse(
        "document_retry",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "document_pk": failed.pk},
    )
    assert "Het maken van de pdf is mislukt." in page and f'action="{retry}"' in page

    # The database is back: "try again" makes it.
    outage.unlink()
    assert run_django(RETRY.format(pk=failed.pk), workers.env()).stdout.split() == ["pending"]
    assert wait_for(lambda: _document(document.pk).status == Document.Status.READY, timeout=30)
    assert _document(document.pk).attempts == 1

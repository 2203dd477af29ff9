"""A document is never left "being made" for good: transient errors are tried again, an
error of the document fails it at once, the sweep picks up what a lost task or a dead worker
left, and every page that shows a failed document offers "try again"."""

from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from PIL import UnidentifiedImageError

from programmes import services, tasks
from programmes.inprocess_beat import InProcessBeat
from programmes.models import AuditEntry, Document
from programmes.permissions import Role
from programmes.services import documents
from programmes.services.documents import (
    BUILDERS,
    GIVE_UP_AFTER,
    MAX_ATTEMPTS,
    STALE_AFTER,
    TransientDocumentError,
    document_build,
    document_claim,
    document_requeue_stale,
)


@pytest.fixture(autouse=True)
def _no_pauses(monkeypatch):
    """In-process retries follow each other at once in these tests."""
    monkeypatch.setattr(tasks, "DOCUMENT_EAGER_PAUSES", (0,))


@pytest.fixture
def flaky(monkeypatch):
    """Make the plan builder raise `error` for its first `times` calls; returns the calls."""
    calls = []

    def install(error, times):
        real = BUILDERS["plan"]

        def builder(document):
            calls.append(document.attempts)
            if len(calls) <= times:
                raise error
            return real(document)

        monkeypatch.setitem(BUILDERS, "plan", builder)
        return calls

    return install


def _pending(world, programme, **fields):
    return Document.objects.create(
        organisation=world.client, programme=programme, kind="plan", **fields
    )


def _request(world, programme, callbacks):
    with callbacks(execute=True):
        document = services.document_request(
            actor=world.users[Role.PROJECT_LEADER],
            organisation=world.client,
            programme=programme,
            kind="plan",
        )
    document.refresh_from_db()
    return document


def test_a_database_blip_is_tried_again_and_the_pdf_is_made(
    world, programme, unscoped, flaky, django_capture_on_commit_callbacks
):
    calls = flaky(OperationalError("server closed the connection unexpectedly"), times=2)
    document = _request(world, programme, django_capture_on_commit_callbacks)
    assert calls == [1, 2, 3]  # three attempts in-process (no broker)
    assert document.status == Document.Status.READY and document.attempts == 3
    with document.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"


def test_a_lasting_transient_error_fails_after_the_last_attempt(
    world, programme, unscoped, flaky, django_capture_on_commit_callbacks
):
    calls = flaky(ConnectionRefusedError("broker away"), times=99)
    document = _request(world, programme, django_capture_on_commit_callbacks)
    assert len(calls) == MAX_ATTEMPTS
    assert document.status == Document.Status.FAILED and document.attempts == MAX_ATTEMPTS
    assert "Gave up after 5 attempts" in document.error and "broker away" in document.error
    assert document.finished_at is not None and not document.file


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("template exploded"),
        FileNotFoundError("logo.png"),
        UnidentifiedImageError("cannot identify image file 'logo.png'"),
    ],
)
def test_an_error_of_the_document_fails_it_at_once(
    world, programme, unscoped, flaky, error, django_capture_on_commit_callbacks
):
    calls = flaky(error, times=99)
    document = _request(world, programme, django_capture_on_commit_callbacks)
    assert calls == [1]
    assert document.status == Document.Status.FAILED and document.attempts == 1
    assert str(error) in document.error and "Gave up" not in document.error


def test_with_a_broker_the_task_retries_later_with_backoff(world, programme, unscoped, flaky):
    """The worker path: a transient error schedules a retry (5 s, then 15 s ...) that carries
    the attempt it claimed, so the retry may take the document up again at once while a second
    delivery of the task may not."""
    flaky(OperationalError("database is locked"), times=1)
    document = _pending(world, programme)
    scheduled = []

    class Retry(Exception):
        pass

    def retry(**options):
        scheduled.append(options)
        return Retry()

    task = tasks.document_render
    kwargs = {"document_id": document.pk, "organisation_id": world.client.pk}
    task.push_request(is_eager=False, retries=0)
    try:
        with scope(organisation=world.client.pk):
            task.retry = retry
            with pytest.raises(Retry):
                task.run(**kwargs)
    finally:
        del task.retry
        task.pop_request()
    (options,) = scheduled
    assert options["countdown"] == 5 and options["kwargs"] == {**kwargs, "attempt": 1}
    assert isinstance(options["exc"], TransientDocumentError)
    document.refresh_from_db()
    assert document.status == Document.Status.PENDING and document.attempts == 1
    assert "database is locked" in document.error
    # A second delivery of the original message finds the attempt busy and leaves it.
    assert document_build(document_id=document.pk) == "skipped"
    # The retry takes it up.
    assert document_build(document_id=document.pk, attempt=1) == Document.Status.READY
    document.refresh_from_db()
    assert document.attempts == 2 and document.status == Document.Status.READY
    assert document_build(document_id=document.pk, attempt=2) == "skipped"


def test_the_claim_lets_one_attempt_render(world, programme, unscoped):
    document = _pending(world, programme)
    now = timezone.now()
    assert document_claim(document_id=document.pk, now=now).attempts == 1
    assert document_claim(document_id=document.pk, now=now + timedelta(seconds=1)) is None
    # An attempt that started longer ago than STALE_AFTER died with its worker: taken over.
    later = now + STALE_AFTER + timedelta(seconds=1)
    assert document_claim(document_id=document.pk, now=later).attempts == 2
    for status in (Document.Status.READY, Document.Status.FAILED):
        Document.objects.filter(pk=document.pk).update(status=status, attempted_at=None)
        assert document_claim(document_id=document.pk) is None


def test_an_attempt_that_was_taken_over_does_not_overwrite(
    world, programme, unscoped, monkeypatch, settings
):
    """A slow attempt whose document another attempt took over keeps nothing of its own."""
    document = _pending(world, programme)
    real = BUILDERS["plan"]

    def slow(doc):
        Document.objects.filter(pk=doc.pk).update(attempts=doc.attempts + 1)  # taken over
        return real(doc)

    monkeypatch.setitem(BUILDERS, "plan", slow)
    assert document_build(document_id=document.pk) == "skipped"
    document.refresh_from_db()
    assert document.status == Document.Status.PENDING and not document.file
    assert list(Path(settings.MEDIA_ROOT).rglob("*.pdf")) == []


def test_the_sweep_queues_what_was_lost_and_fails_what_had_its_attempts(
    world, other_world, programme, unscoped, monkeypatch
):
    now = timezone.now()
    old = now - STALE_AFTER - timedelta(seconds=1)
    fresh = now - timedelta(seconds=30)
    never_handed_over = _pending(world, programme, queued_at=old)
    died_mid_render = _pending(world, programme, attempts=2, attempted_at=old)
    out_of_attempts = _pending(world, programme, attempts=MAX_ATTEMPTS, attempted_at=old)
    waited_too_long = _pending(
        world, programme, queued_at=now - GIVE_UP_AFTER - timedelta(seconds=1)
    )
    just_asked = _pending(world, programme, queued_at=fresh)
    being_made = _pending(world, programme, queued_at=old, attempts=1, attempted_at=fresh)
    ready = _pending(world, programme, status=Document.Status.READY, queued_at=old)
    queued = []
    monkeypatch.setattr(documents, "enqueue", lambda task, **kwargs: queued.append(kwargs))

    assert document_requeue_stale(now=now) == 2
    assert sorted(k["document_id"] for k in queued) == sorted(
        [never_handed_over.pk, died_mid_render.pk]
    )
    assert all(k["organisation_id"] == world.client.pk for k in queued)
    states = {
        d.pk: d.status
        for d in Document.objects.filter(
            pk__in=[out_of_attempts.pk, waited_too_long.pk, just_asked.pk, being_made.pk, ready.pk]
        )
    }
    assert states == {
        out_of_attempts.pk: Document.Status.FAILED,
        waited_too_long.pk: Document.Status.FAILED,
        just_asked.pk: Document.Status.PENDING,
        being_made.pk: Document.Status.PENDING,
        ready.pk: Document.Status.READY,
    }
    assert "try again" in Document.objects.get(pk=out_of_attempts.pk).error
    # The attempt that died holds the document no more, so the queued task may take it now.
    assert document_claim(document_id=died_mid_render.pk).attempts == 3


def test_the_sweep_runs_from_the_schedule_and_makes_the_pdf(world, programme, unscoped):
    """Without a broker the in-process beat runs the sweep; the lost document gets made."""
    old = timezone.now() - STALE_AFTER - timedelta(minutes=1)
    document = _pending(world, programme, queued_at=old, attempts=1, attempted_at=old)
    assert "document-requeue-stale" in InProcessBeat().tick()
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.attempts == 2


def _status_url(world, programme, document, name="document_status"):
    return reverse(
        name,
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "document_pk": document.pk},
    )


def test_a_pending_document_says_when_it_takes_longer(client, world, programme, unscoped):
    document = _pending(world, programme)
    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(_status_url(world, programme, document)).content.decode()
    assert "Wordt gemaakt… dit kan even duren." in page and "langer dan normaal" not in page
    Document.objects.filter(pk=document.pk).update(
        queued_at=timezone.now() - Document.SLOW_AFTER - timedelta(seconds=1)
    )
    page = client.get(_status_url(world, programme, document)).content.decode()
    assert "Dit duurt langer dan normaal; we proberen het automatisch opnieuw." in page


def test_try_again_makes_a_failed_document(
    client, world, other_world, programme, unscoped, django_capture_on_commit_callbacks
):
    document = _pending(
        world,
        programme,
        status=Document.Status.FAILED,
        attempts=MAX_ATTEMPTS,
        error="Gave up after 5 attempts.",
    )
    retry_url = _status_url(world, programme, document, "document_retry")
    # Another organisation cannot tell it exists.
    client.force_login(other_world.users[Role.PROJECT_LEADER])
    assert client.post(retry_url).status_code == 404
    client.force_login(world.users[Role.CLIENT_STAFF])
    page = client.get(_status_url(world, programme, document)).content.decode()
    assert "Probeer opnieuw" in page and f'action="{retry_url}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Wordt gemaakt" in response.content.decode()
    assert "PDF downloaden" in client.get(_status_url(world, programme, document)).content.decode()
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.attempts == 1
    assert document.error == ""
    entry = AuditEntry.objects.get(action="document.retried")
    assert entry.actor == world.users[Role.CLIENT_STAFF]
    # A document that is not failed is left alone; without htmx the page comes back.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url, {"next": "/elsewhere/?x=1"})
    assert response.status_code == 302 and response["Location"] == "/elsewhere/?x=1"
    assert AuditEntry.objects.filter(action="document.retried").count() == 1
    response = client.post(retry_url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_the_programme_page_shows_a_failed_plan_with_try_again(client, world, programme, unscoped):
    url = reverse(
        "programme_detail", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    client.force_login(world.users[Role.PROJECT_LEADER])
    # Where the status of a new document will appear is outside the form that asks for it, so
    # the try-again form that may appear there is never a form inside a form.
    assert _status_boxes_inside_forms(client.get(url).content.decode()) == [False]
    document = _pending(world, programme, status=Document.Status.FAILED)
    page = client.get(url).content.decode()
    assert "Het maken van de pdf is mislukt." in page
    assert _status_url(world, programme, document, "document_retry") in page
    assert _status_boxes_inside_forms(page) == [False]


def _status_boxes_inside_forms(page: str) -> list[bool]:
    """For each document status box of the page: whether it sits inside a form."""

    class Boxes(HTMLParser):
        depth = 0
        boxes: list[bool]

        def handle_starttag(self, tag, attrs):
            if tag == "form":
                self.depth += 1
            if "document-status" in (dict(attrs).get("class") or "").split():
                self.boxes.append(self.depth > 0)

        def handle_endtag(self, tag):
            if tag == "form":
                self.depth -= 1

    parser = Boxes()
    parser.boxes = []
    parser.feed(page)
    return parser.boxes


def test_a_broker_away_at_the_request_leaves_the_document_to_the_sweep(
    client, world, programme, unscoped, monkeypatch, django_capture_on_commit_callbacks
):
    """The request is answered, the page says the PDF is coming (and later that it takes
    longer), and the sweep makes it once the broker is back."""
    from kombu.exceptions import OperationalError as BrokerError

    def broker_away(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as broker:
        broker.setattr(tasks.document_render, "apply_async", broker_away)
        client.force_login(world.users[Role.PROJECT_LEADER])
        kwargs = {"org": world.client.slug, "programme_pk": programme.pk}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("document_request", kwargs=kwargs), HTTP_HX_REQUEST="true"
            )
        assert response.status_code == 200
        assert "Wordt gemaakt… dit kan even duren." in response.content.decode()
        document = Document.objects.get(programme=programme)
        assert document.status == Document.Status.PENDING and document.attempts == 0
        Document.objects.filter(pk=document.pk).update(
            queued_at=timezone.now() - timedelta(minutes=3)
        )
        page = client.get(_status_url(world, programme, document)).content.decode()
        assert "Dit duurt langer dan normaal; we proberen het automatisch opnieuw." in page

    # The broker is back.
    assert document_requeue_stale(now=timezone.now() + STALE_AFTER) == 1
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.attempts == 1

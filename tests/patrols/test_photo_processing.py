"""A signal's photo is taken in as sent and re-encoded by a task after commit: until then (and
when that fails) nothing of the upload is served, afterwards only the bare JPEG, and the
upload as sent is gone. A lost task or a dead worker is picked up by the sweep, which gives
up after the attempts; a resend from the phone stays one photo."""

import datetime as dt
import io
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from patrols import services as patrols
from patrols import tasks
from patrols.models import SignalPhoto
from patrols.services import photos
from programmes.models import AuditEntry
from programmes.permissions import Role

from ..builders import report_signal

GPS = (52.0, 5.0, 30.0)


def _jpeg_with_gps(size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size, "#884422")
    exif = Image.Exif()
    exif[0x010F] = "SECRETCAM"
    exif[0x8825] = {1: "N", 2: GPS, 3: "E", 4: (5.0, 7.0, 15.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _api_url(world, signal):
    return reverse(
        "patrols:api_signal_photo", kwargs={"org": world.client.slug, "signal_uuid": signal.uuid}
    )


def _photo_urls(world, photo):
    kwargs = {"org": world.client.slug, "signal_pk": photo.signal_id, "photo_pk": photo.pk}
    return (
        reverse("patrols:portal_signal_photo", kwargs=kwargs),
        reverse("patrols:team_signal_photo", kwargs=kwargs),
    )


def _served(client, world, team, photo):
    """What the portal (its project leader: the client's staff see a photo only once it is
    reviewed, tests/patrols/test_photo_review.py) and the reporter get for the photo:
    [(status, type, body)]."""
    got = []
    portal, own = _photo_urls(world, photo)
    for user, url in ((world.users[Role.PROJECT_LEADER], portal), (team[1], own)):
        client.force_login(user)
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        got.append((response.status_code, response["Content-Type"], body, response))
    return got


def _post(client, world, signal, photo_id, raw, name="IMG_0001.jpg"):
    return client.post(
        _api_url(world, signal),
        {"id": str(photo_id), "image": SimpleUploadedFile(name, raw, "image/jpeg")},
    )


def test_upload_is_processed_by_the_task_and_only_then_served(
    client, world, team, django_capture_on_commit_callbacks
):
    signal = report_signal(team, description="Grofvuil")
    raw = _jpeg_with_gps()
    client.force_login(team[1])
    photo_id = uuid.uuid4()
    with django_capture_on_commit_callbacks() as queued:
        response = _post(client, world, signal, photo_id, raw)
    assert response.status_code == 201
    assert response.json()["status"] == "processing"
    assert len(queued) == 1  # the re-encoding, queued after commit

    photo = SignalPhoto.objects.get(uuid=photo_id)
    assert photo.status == SignalPhoto.Status.PROCESSING and not photo.image
    original = photo.original.name
    with default_storage.open(original, "rb") as fh:
        assert fh.read() == raw  # stored as sent, metadata and all
    # Nothing of the upload reaches anybody yet: a placeholder that is never cached.
    for status, content_type, body, answer in _served(client, world, team, photo):
        assert status == 200 and content_type.startswith("image/svg+xml")
        assert b"SECRETCAM" not in body and b"\xff\xd8" not in body
        assert "no-store" in answer["Cache-Control"]
    client.force_login(team[1])
    page = client.get(
        reverse("patrols:team_signal", kwargs={"org": world.client.slug, "signal_pk": signal.pk})
    ).content.decode()
    assert "(wordt verwerkt)" in page

    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()  # the task runs (eagerly, as in a worker)
    photo.refresh_from_db()
    assert photo.status == SignalPhoto.Status.READY and photo.attempts == 1
    assert max(photo.width, photo.height) == 2048
    assert photo.original.name == "" and not default_storage.exists(original)
    for status, content_type, body, _answer in _served(client, world, team, photo):
        assert status == 200 and content_type == "image/jpeg"
        stored = Image.open(io.BytesIO(body))
        assert not stored.getexif() and b"SECRETCAM" not in body
        assert stored.size == (2048, 1365)


def test_resend_is_one_photo_before_and_after_processing(
    client, world, team, django_capture_on_commit_callbacks
):
    signal = report_signal(team, description="Grofvuil")
    raw = _jpeg_with_gps((800, 600))
    client.force_login(team[1])
    photo_id = uuid.uuid4()
    with django_capture_on_commit_callbacks() as queued:
        first = _post(client, world, signal, photo_id, raw)
        again = _post(client, world, signal, photo_id, raw)  # the phone did not hear the 201
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert len(queued) == 1  # one task, for the one photo
    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()
    assert _post(client, world, signal, photo_id, raw).status_code == 200  # after processing
    other = _post(client, world, signal, photo_id, _jpeg_with_gps((600, 800)))
    assert other.status_code == 409  # another photo under the same id
    assert SignalPhoto.objects.filter(uuid=photo_id).count() == 1
    assert AuditEntry.objects.filter(action="signal.photo_added").count() == 1
    assert SignalPhoto.objects.get(uuid=photo_id).status == SignalPhoto.Status.READY
    assert default_storage.listdir("signals/incoming")[1] == []  # no upload left behind


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"%PDF-1.4 this is not an image", "geen afbeelding die we kunnen lezen"),
        (b"\xff\xd8\xff" + b"x" * (photos.PHOTO_MAX_BYTES), "te groot"),
    ],
)
def test_no_image_or_too_large_is_refused_in_the_request(client, world, team, raw, message):
    signal = report_signal(team, description="Grofvuil")
    client.force_login(team[1])
    response = client.post(
        _api_url(world, signal),
        {"id": str(uuid.uuid4()), "image": SimpleUploadedFile("a.jpg", raw, "image/jpeg")},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 400
    assert message in response.json()["reason"]
    assert not SignalPhoto.objects.exists()
    assert not default_storage.exists("signals/incoming") or not any(
        default_storage.listdir("signals/incoming")[1]
    )


def test_broken_pixels_fail_at_once_and_the_upload_is_deleted(
    client, world, team, django_capture_on_commit_callbacks
):
    signal = report_signal(team, description="Grofvuil")
    raw = _jpeg_with_gps((800, 600))
    broken = raw[: len(raw) // 3]  # a JPEG header that promises pixels it does not hold
    client.force_login(team[1])
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, world, signal, uuid.uuid4(), broken).status_code == 201
    photo = SignalPhoto.objects.get()
    assert photo.status == SignalPhoto.Status.FAILED and photo.attempts == 1
    assert photo.original.name == "" and default_storage.listdir("signals/incoming")[1] == []
    for status, content_type, body, _answer in _served(client, world, team, photo):
        assert status == 200 and content_type.startswith("image/svg+xml")
        assert b"kon niet worden verwerkt" in body


def test_a_transient_error_is_tried_again(team, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(tasks, "PHOTO_EAGER_PAUSES", (0,))
    real = photos.reencode_image
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("the file system was away for a moment")
        return real(*args, **kwargs)

    monkeypatch.setattr(photos, "reencode_image", flaky)
    signal = report_signal(team, description="Grofvuil")
    with django_capture_on_commit_callbacks(execute=True):
        photo, _ = patrols.signal_photo_add(
            actor=team[1],
            signal=signal,
            uuid=uuid.uuid4(),
            upload=SimpleUploadedFile("p.jpg", _jpeg_with_gps((400, 300)), "image/jpeg"),
        )
    photo.refresh_from_db()
    assert photo.status == SignalPhoto.Status.READY and photo.attempts == 2


def _unprocessed(team, *, minutes_ago):
    """A photo whose task was lost (the broker was away): stored, never attempted."""
    signal = report_signal(team, description="Grofvuil")
    with TestCase.captureOnCommitCallbacks() as lost:
        photo, _ = patrols.signal_photo_add(
            actor=team[1],
            signal=signal,
            uuid=uuid.uuid4(),
            upload=SimpleUploadedFile("p.jpg", _jpeg_with_gps((400, 300)), "image/jpeg"),
        )
    assert len(lost) == 1  # dropped: never run
    SignalPhoto.objects.filter(pk=photo.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return photo


def test_sweep_requeues_a_lost_photo_and_leaves_a_fresh_one(team, unscoped):
    lost = _unprocessed(team, minutes_ago=10)
    fresh = _unprocessed(team, minutes_ago=1)  # its task may still be on its way
    assert tasks.signal_photo_requeue_stale() == 1  # eager: processed right away
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == SignalPhoto.Status.READY and lost.original.name == ""
    assert fresh.status == SignalPhoto.Status.PROCESSING and fresh.attempts == 0


def test_sweep_takes_over_from_a_dead_worker_and_fails_after_the_attempts(
    client, world, team, unscoped, monkeypatch
):
    queued = []
    monkeypatch.setattr(photos, "enqueue", lambda task, **kwargs: queued.append(kwargs))
    photo = _unprocessed(team, minutes_ago=30)
    original = photo.original.name
    # A worker claimed it and died, again and again: the last attempt long ago.
    long_ago = timezone.now() - photos.STALE_AFTER - dt.timedelta(minutes=1)
    SignalPhoto.objects.filter(pk=photo.pk).update(
        attempts=photos.MAX_ATTEMPTS - 1, attempted_at=long_ago
    )
    assert photos.signal_photo_requeue_stale() == 1
    assert queued == [{"photo_id": photo.pk, "organisation_id": photo.organisation_id}]
    photo.refresh_from_db()  # the dead attempt holds it no more: the queued task may take it
    assert photo.status == SignalPhoto.Status.PROCESSING and photo.attempted_at is None

    SignalPhoto.objects.filter(pk=photo.pk).update(
        attempts=photos.MAX_ATTEMPTS, attempted_at=long_ago
    )
    with TestCase.captureOnCommitCallbacks(execute=True):  # the upload's deletion
        assert photos.signal_photo_requeue_stale() == 0
    assert len(queued) == 1
    photo.refresh_from_db()
    assert photo.status == SignalPhoto.Status.FAILED and "5 attempts" in photo.error
    assert photo.original.name == "" and not default_storage.exists(original)
    assert tasks.signal_photo_process(photo_id=photo.pk, organisation_id=photo.organisation_id) == (
        "skipped"
    )  # a late delivery of the task leaves a failed photo alone
    for status, content_type, body, _answer in _served(client, world, team, photo):
        assert status == 200 and content_type.startswith("image/svg+xml")
        assert b"kon niet worden verwerkt" in body


def test_sweep_gives_up_on_a_photo_that_waited_too_long(team, unscoped):
    photo = _unprocessed(team, minutes_ago=int(photos.GIVE_UP_AFTER.total_seconds() // 60) + 1)
    assert photos.signal_photo_requeue_stale() == 0
    photo.refresh_from_db()
    assert photo.status == SignalPhoto.Status.FAILED


def test_sweep_is_a_periodic_job(settings):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "patrols.tasks.signal_photo_requeue_stale" in schedule


# Outside a test transaction, as in production (see test_signal_queries.py).
@pytest.mark.django_db(transaction=True)
def test_photo_post_takes_few_queries_new_or_resent(client, world, team, monkeypatch):
    queued = []
    monkeypatch.setattr(photos, "enqueue_on_commit", lambda task, **kwargs: queued.append(kwargs))
    signal = report_signal(team, description="Grofvuil")
    raw = _jpeg_with_gps((800, 600))
    client.force_login(team[1])
    _post(client, world, signal, uuid.uuid4(), raw)  # warm caches shared by every request
    photo_id = uuid.uuid4()
    for expected in (201, 200):  # new, then the phone's resend
        with CaptureQueriesContext(connection) as queries:
            response = _post(client, world, signal, photo_id, raw)
        assert response.status_code == expected
        counted = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
        ]
        assert len(counted) <= 8, "\n".join(sql[:120] for sql in counted)
    assert len(queued) == 2  # the warm-up's photo and this one: the resend queued nothing
    assert len(default_storage.listdir("signals/incoming")[1]) == 2  # the resend left none

"""The phone sends a photo as the request body itself (`Content-Type: image/jpeg`, its id in
the address), so no form is parsed: stored as sent, fingerprinted the same as the form's
upload (a resend either way is one photo), bounded by kind, size and count before anything is
stored, and refused in words that say whether sending again helps. The form's endpoint stays
for a phone that runs a page of the app from before."""

import io
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import multipartparser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from patrols.models import SignalPhoto
from patrols.services import photos
from programmes.models import AuditEntry
from programmes.permissions import Role

from ..builders import report_signal


def _jpeg(size=(800, 600), colour="#884422") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


def _url(world, signal, photo_id):
    return reverse(
        "patrols:api_signal_photo_body",
        kwargs={"org": world.client.slug, "signal_uuid": signal.uuid, "photo_uuid": photo_id},
    )


def _put(client, world, signal, photo_id, raw, content_type="image/jpeg", **extra):
    return client.generic(
        "POST",
        _url(world, signal, photo_id),
        raw,
        content_type=content_type,
        HTTP_ACCEPT_LANGUAGE="nl",
        **extra,
    )


def _form(client, world, signal, photo_id, raw):
    url = reverse(
        "patrols:api_signal_photo", kwargs={"org": world.client.slug, "signal_uuid": signal.uuid}
    )
    return client.post(
        url, {"id": str(photo_id), "image": SimpleUploadedFile("p.jpg", raw, "image/jpeg")}
    )


def _incoming():
    if not default_storage.exists("signals/incoming"):
        return []
    return default_storage.listdir("signals/incoming")[1]


@pytest.fixture
def no_form_parsing(monkeypatch):
    """Django's multipart parser must not run for a body photo."""

    def refuse(self):
        raise AssertionError("the multipart parser ran")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", refuse)


def test_body_photo_is_stored_as_sent_without_a_form(
    client, world, team, django_capture_on_commit_callbacks, no_form_parsing
):
    signal = report_signal(team, description="Grofvuil")
    raw = _jpeg()
    client.force_login(team[1])
    photo_id = uuid.uuid4()
    with django_capture_on_commit_callbacks() as queued:
        response = _put(client, world, signal, photo_id, raw)
    assert response.status_code == 201, response.content
    assert response.json()["id"] == str(photo_id)
    assert response.json()["status"] == "processing"
    assert len(queued) == 1  # the re-encoding, after commit
    photo = SignalPhoto.objects.get(uuid=photo_id)
    assert photo.signal == signal and photo.status == SignalPhoto.Status.PROCESSING
    assert photo.original.name == f"signals/incoming/{photo_id}.jpg"
    with default_storage.open(photo.original.name, "rb") as fh:
        assert fh.read() == raw
    assert AuditEntry.objects.filter(action="signal.photo_added").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()
    photo.refresh_from_db()
    assert photo.status == SignalPhoto.Status.READY and (photo.width, photo.height) == (800, 600)


def test_a_large_body_goes_through_a_temporary_file(client, world, team, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # the photo is larger: spooled to disk
    signal = report_signal(team, description="Grofvuil")
    raw = _jpeg((1200, 900))
    assert len(raw) > 1000
    client.force_login(team[1])
    photo_id = uuid.uuid4()
    assert _put(client, world, signal, photo_id, raw).status_code == 201
    with default_storage.open(SignalPhoto.objects.get().original.name, "rb") as fh:
        assert fh.read() == raw


def test_resend_either_way_is_one_photo(client, world, team):
    signal = report_signal(team, description="Grofvuil")
    raw = _jpeg()
    client.force_login(team[1])
    photo_id = uuid.uuid4()
    assert _put(client, world, signal, photo_id, raw).status_code == 201
    again = _put(client, world, signal, photo_id, raw)  # the phone did not hear the 201
    assert again.status_code == 200 and again.json()["id"] == str(photo_id)
    # The same bytes as a form (an older page of the app): the same fingerprint, one photo.
    assert _form(client, world, signal, photo_id, raw).status_code == 200
    # A form's photo resent as a body (the new page took over the outbox): the same.
    other_id = uuid.uuid4()
    assert _form(client, world, signal, other_id, raw).status_code == 201
    assert _put(client, world, signal, other_id, raw).status_code == 200
    # Other bytes under a used id: a conflict.
    assert _put(client, world, signal, photo_id, _jpeg(colour="#224488")).status_code == 409
    assert SignalPhoto.objects.count() == 2
    assert AuditEntry.objects.filter(action="signal.photo_added").count() == 2
    assert len(_incoming()) == 2  # the resends left no file behind


@pytest.mark.parametrize(
    ("content_type", "raw", "status", "message", "permanent"),
    [
        # No image kind: refused by its Content-Type, before the body is read.
        ("application/pdf", b"%PDF-1.4", 415, "Stuur de foto als afbeelding", True),
        ("multipart/form-data; boundary=x", b"--x--", 415, "Stuur de foto als afbeelding", True),
        # Called a JPEG but it is not one (its first bytes decide), NUL bytes included.
        ("image/jpeg", b"%PDF-1.4 this is not an image", 400, "geen afbeelding", True),
        ("image/jpeg", b"\x00" * 5000, 400, "geen afbeelding", True),
        ("image/png", b"\xff\xd8\xff" + b"\x00" * 100, 400, "geen afbeelding", True),
        # Nothing sent.
        ("image/jpeg", b"", 400, "Kies een foto", True),
        # Over the limit: 413 with the limit in words.
        ("image/jpeg", b"\xff\xd8\xff" + b"x" * photos.PHOTO_MAX_BYTES, 413, "te groot", True),
    ],
)
def test_a_body_that_is_no_photo_is_refused_and_nothing_is_kept(
    client, world, team, content_type, raw, status, message, permanent
):
    signal = report_signal(team, description="Grofvuil")
    client.force_login(team[1])
    # CONTENT_TYPE too: the test client leaves it out for an empty body.
    response = _put(
        client, world, signal, uuid.uuid4(), raw, content_type, CONTENT_TYPE=content_type
    )
    assert response.status_code == status
    assert message in response.json()["reason"]
    assert response.json()["permanent"] is permanent
    assert not SignalPhoto.objects.exists() and _incoming() == []


def test_an_oversized_body_is_refused_before_it_is_read(client, world, team):
    signal = report_signal(team, description="Grofvuil")
    client.force_login(team[1])
    declared = str(photos.PHOTO_MAX_BYTES + 1)
    response = _put(client, world, signal, uuid.uuid4(), _jpeg(), CONTENT_LENGTH=declared)
    assert response.status_code == 413
    assert response.json()["reason"] == "De foto is te groot (maximaal 15 MB)."
    assert not SignalPhoto.objects.exists()


def test_a_body_cut_off_on_the_way_may_be_sent_again(client, world, team):
    signal = report_signal(team, description="Grofvuil")
    client.force_login(team[1])
    raw = _jpeg()
    # The connection promised more than arrived (it broke off).
    cut_off = {"wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw) + 10)}
    response = _put(client, world, signal, uuid.uuid4(), raw, **cut_off)
    assert response.status_code == 400
    assert response.json() | {"errors": None} == {
        "reason": "De foto is niet helemaal aangekomen: stuur hem opnieuw.",
        "permanent": False,
        "errors": None,
    }
    assert not SignalPhoto.objects.exists() and _incoming() == []


def test_a_signal_takes_five_photos_and_a_resend_of_one_still_answers(client, world, team):
    signal = report_signal(team, description="Grofvuil")
    client.force_login(team[1])
    ids = [uuid.uuid4() for _ in range(photos.PHOTOS_PER_SIGNAL)]
    for n, photo_id in enumerate(ids):
        raw = _jpeg(colour=f"#{n:02x}4488")
        assert _put(client, world, signal, photo_id, raw).status_code == 201
    sixth = _put(client, world, signal, uuid.uuid4(), _jpeg(colour="#ffffff"))
    assert sixth.status_code == 400 and sixth.json()["permanent"] is True
    assert "Een melding heeft maximaal 5 foto's." in sixth.json()["reason"]
    # The fifth photo sent again (the phone did not hear the answer): the stored one.
    assert _put(client, world, signal, ids[4], _jpeg(colour="#044488")).status_code == 200
    # The old form's endpoint keeps the same bound.
    assert _form(client, world, signal, uuid.uuid4(), _jpeg(colour="#eeeeee")).status_code == 400
    assert SignalPhoto.objects.filter(signal=signal).count() == 5
    assert len(_incoming()) == 5


def test_someone_elses_signal_or_a_bad_id_is_refused(client, world, team):
    signal = report_signal(team, description="Grofvuil")
    client.force_login(world.users[Role.CLIENT_STAFF])  # not a team member
    assert _put(client, world, signal, uuid.uuid4(), _jpeg()).status_code == 403
    client.force_login(team[1])
    bad = client.generic(
        "POST",
        reverse(
            "patrols:api_signal_photo_body",
            kwargs={"org": world.client.slug, "signal_uuid": signal.uuid, "photo_uuid": "x1"},
        ),
        _jpeg(),
        content_type="image/jpeg",
    )
    assert bad.status_code == 400
    unknown = _put(client, world, signal.__class__(uuid=uuid.uuid4()), uuid.uuid4(), _jpeg())
    assert unknown.status_code == 404 and unknown.json()["permanent"] is True
    assert not SignalPhoto.objects.exists()


# Outside a test transaction, as in production (see test_signal_queries.py).
@pytest.mark.django_db(transaction=True)
def test_body_photo_takes_few_queries_new_or_resent(client, world, team, monkeypatch):
    queued = []
    monkeypatch.setattr(photos, "enqueue_on_commit", lambda task, **kwargs: queued.append(kwargs))
    signal = report_signal(team, description="Grofvuil")
    raw = _jpeg()
    client.force_login(team[1])
    _put(client, world, signal, uuid.uuid4(), raw)  # warm caches shared by every request
    photo_id = uuid.uuid4()
    for expected in (201, 200):  # new, then the phone's resend
        with CaptureQueriesContext(connection) as queries:
            response = _put(client, world, signal, photo_id, raw)
        assert response.status_code == expected
        counted = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
        ]
        assert len(counted) <= 8, "\n".join(sql[:120] for sql in counted)
    assert len(queued) == 2
    assert len(_incoming()) == 2

"""Files of deleted rows leave storage: replaced files at once, cascaded ones by the sweep."""

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from programmes import services
from programmes.demo import _logo_png
from programmes.files import orphan_files_sweep, upload_folders
from programmes.models import Document
from programmes.permissions import Role

from ..builders import report_signal


def _media(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def _write(name: str, *, age_hours: float) -> Path:
    path = _media(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    when = (timezone.now() - dt.timedelta(hours=age_hours)).timestamp()
    os.utime(path, (when, when))
    return path


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "#336699").save(out, format="JPEG")
    return out.getvalue()


def test_upload_folders_cover_every_file_field():
    assert {"documents", "logos", "signals", "teams", "recruitment"} <= upload_folders()


def test_sweep_removes_only_old_unreferenced_files_in_upload_folders(world, unscoped):
    world.client.logo.save("logo.png", ContentFile(_logo_png("GN", "#123456")))
    referenced = _media(world.client.logo.name)
    os.utime(referenced, (0, 0))  # old, but a row points to it
    orphan = _write("documents/2026/01/weg.pdf", age_hours=48)
    fresh = _write("documents/2026/01/net-geschreven.pdf", age_hours=0.1)
    elsewhere = _write("backups/oud.tar.gz", age_hours=500)

    assert orphan_files_sweep() == 1

    assert not orphan.exists()
    assert referenced.exists() and fresh.exists() and elsewhere.exists()
    assert orphan_files_sweep() == 0


def test_cascade_leaves_files_that_the_sweep_removes(
    world, team, django_capture_on_commit_callbacks
):
    from patrols import services as patrols

    programme, member, _ = team
    document = Document.objects.create(
        organisation=world.client,
        programme=programme,
        kind="plan",
        status=Document.Status.READY,
    )
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.7 test"))
    signal = report_signal(team, description="Matras")
    with django_capture_on_commit_callbacks(execute=True):  # the photo's re-encoding
        photo, _ = patrols.signal_photo_add(
            actor=member,
            signal=signal,
            uuid=uuid.uuid4(),
            upload=SimpleUploadedFile("p.jpg", _jpeg(), content_type="image/jpeg"),
        )
    photo.refresh_from_db()
    files = [_media(document.file.name), _media(photo.image.name)]
    assert all(f.exists() for f in files)
    stray = _write("logos/no-row.png", age_hours=0)
    world.client.logo.save("logo.png", ContentFile(_logo_png("GN", "#123456")))

    signal.delete()  # cascades to its photos
    Document.objects.filter(programme=programme).delete()

    assert all(f.exists() for f in files)  # a cascade does not touch storage
    later = timezone.now() + dt.timedelta(days=2)
    assert orphan_files_sweep(now=later) == 3  # the two, and the unreferenced logo file
    assert not any(f.exists() for f in files)
    assert not stray.exists()
    assert _media(world.client.logo.name).exists()  # still the client's logo


def _upload_logo(colour: str):
    return SimpleUploadedFile("logo.png", _logo_png("GN", colour), content_type="image/png")


def test_replaced_logo_is_removed_after_commit(world, unscoped, django_capture_on_commit_callbacks):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_update(
            actor=admin, organisation=world.client, logo=_upload_logo("#111111")
        )
    first = _media(world.client.logo.name)
    assert first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_update(
            actor=admin, organisation=world.client, logo=_upload_logo("#222222")
        )
    second = _media(world.client.logo.name)
    assert second != first and second.exists()
    assert not first.exists()


def test_replaced_logo_stays_when_the_change_rolls_back(
    world, unscoped, django_capture_on_commit_callbacks
):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    world.client.logo.save("logo.png", ContentFile(_logo_png("GN", "#123456")))
    first = _media(world.client.logo.name)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.organisation_update(
            actor=admin, organisation=world.client, logo=_upload_logo("#222222")
        )
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert first.exists()


def test_sweep_is_a_periodic_job(db):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "programmes.tasks.orphan_files_sweep" in tasks
    from programmes.tasks import orphan_files_sweep as task

    assert task() == 0

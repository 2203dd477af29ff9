"""A signal's photos: taken in as sent, re-encoded in the background, served only once bare.

The request does only what is cheap and bounded: the size, the number of photos of the
signal (PHOTOS_PER_SIGNAL), and the image's kind and pixel count read from its header
(`programmes.images.inspect_image`); a file that is no image, or too large, is refused there
with a message. The upload is then stored as received (it carries
whatever metadata the phone wrote, the position included) with the photo `processing`, and a
task queued after commit re-encodes it (`signal_photo_process`): the bare JPEG replaces it and
the original is deleted. Until then, and if that fails, nothing of the upload is served.

The row is the record of the work, the task only a nudge, as for documents
(programmes/services/documents.py): an attempt claims the row (`attempts`, `attempted_at`), a
transient error (database, file system) tries again later, an unreadable image fails at once,
and `signal_photo_requeue_stale` (a periodic sweep) queues again what a lost task or a dead
worker left behind and fails a photo after MAX_ATTEMPTS (or GIVE_UP_AFTER): it then shows as
"could not be processed", never "being processed" for good.

A resend from the phone (the same id, the same bytes) answers with the stored photo: the
payload's fingerprint is the hash of the upload as sent.
"""

import contextlib
import hashlib
import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext
from PIL import Image

from programmes.audit import audit_log
from programmes.files import file_delete_on_commit
from programmes.images import inspect_image, reencode_image
from programmes.models import TeamMember, User
from programmes.queueing import enqueue, enqueue_on_commit
from programmes.services.common import attempt_claim
from programmes.services.documents import is_transient

from ..models import Signal, SignalPhoto
from .records import _member, _store_once

logger = logging.getLogger(__name__)

PHOTO_MAX_BYTES = 15 * 1024 * 1024
PHOTO_MAX_SIDE = 2048
PHOTO_KINDS = ("JPEG", "PNG", "HEIF")
# At most this many photos per signal: as many as the phone lets a member add to one.
PHOTOS_PER_SIGNAL = 5
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "HEIF": "heic"}

# How many attempts a photo gets (the task's own retries and the sweep's together).
MAX_ATTEMPTS = 5
# An attempt that started this long ago and did not end died with its worker; a photo stored
# this long ago that no attempt started was never handed over. Longer than the task's own
# retry pauses together, so the sweep does not race a retry that is on its way.
STALE_AFTER = timedelta(minutes=5)
# Still not processed this long after it came in (the broker away all that time): give up.
GIVE_UP_AFTER = timedelta(hours=6)

Status = SignalPhoto.Status


class TransientPhotoError(Exception):
    """The attempt failed for a reason that may pass: try again later. `attempt` is the
    attempt this task claimed; its retry may take it up again."""

    def __init__(self, message: str, *, attempt: int | None):
        super().__init__(message)
        self.attempt = attempt


def _task():
    from ..tasks import signal_photo_process  # noqa: PLC0415 - tasks imports this module: circular at module level

    return signal_photo_process


def _remove(storage, name: str) -> None:
    """Remove a file this module has just written under a fresh name (no row points to it)."""
    try:
        storage.delete(name)
    except OSError:
        logger.warning("could not remove the unused file %s", name, exc_info=True)


def signal_photo_add(
    *,
    actor: User,
    signal: Signal,
    uuid,
    upload,
    member: TeamMember | None = None,
    sha256: str | None = None,
):
    """Take in a photo of a signal: checked by size and kind (its header), stored as sent and
    re-encoded in the background (`signal_photo_process`), which strips its metadata. Only
    the reporter, while ready for rounds, adds one; `member`: their roster row if the caller
    has just read it (checked again here, not looked up again); `sha256`: the hex SHA-256 of
    the upload's bytes if the caller computed it while reading them (`patrols.photos.
    read_photo_body`), else it is computed here. Returns (photo, created)."""
    if signal.reported_by_id != actor.pk:
        raise PermissionDenied
    if member is not None and member.programme_id == signal.programme_id:
        signal.programme = member.programme  # read with the roster row
    _member(programme=signal.programme, user=actor, ready=True, member=member)
    kind, _width, _height = inspect_image(upload, max_bytes=PHOTO_MAX_BYTES, allowed=PHOTO_KINDS)
    if sha256 is None:
        sha = hashlib.sha256()
        upload.seek(0)
        for chunk in upload.chunks():
            sha.update(chunk)
        upload.seek(0)
        sha256 = sha.hexdigest()
    # The same fingerprint whichever way the photo came (a form's file or the body itself),
    # so a resend the other way is the same photo.
    payload = {"signal": str(signal.uuid), "sha256": sha256}

    def create(digest):
        # A resend of one of the photos it has (its own id left out) goes on to the insert,
        # which fails on the id and answers with the stored photo.
        if SignalPhoto.objects.filter(signal=signal).exclude(uuid=uuid).count() >= (
            PHOTOS_PER_SIGNAL
        ):
            raise ValidationError(
                ngettext(
                    "A signal has at most %(n)s photo.",
                    "A signal has at most %(n)s photos.",
                    PHOTOS_PER_SIGNAL,
                )
                % {"n": PHOTOS_PER_SIGNAL},
                code="too_many_photos",
            )
        photo = SignalPhoto(
            uuid=uuid,
            payload_hash=digest,
            organisation_id=signal.organisation_id,
            signal=signal,
            status=Status.PROCESSING,
        )
        photo.original.save(f"{uuid}.{_EXTENSIONS[kind]}", upload, save=False)
        try:
            photo.save()  # a resend fails here (the id is taken): `_store_once` answers it
            audit_log(
                actor=actor,
                organisation=signal.organisation,
                action="signal.photo_added",
                obj=signal,
                data={"photo": str(photo.uuid)},
            )
        except Exception:
            _remove(photo.original.storage, photo.original.name)  # no row keeps it
            raise
        enqueue_on_commit(_task(), photo_id=photo.pk, organisation_id=signal.organisation_id)
        return photo

    # Tried straight away, the look-up only for a resend: `create` removes the file it wrote
    # when its insert fails.
    return _store_once(SignalPhoto, uuid=uuid, payload=payload, create=create, look_first=False)


def signal_photo_claim(*, photo_id: int, attempt: int | None = None, now=None):
    """Start an attempt at a photo being processed; None when it is ready, failed, gone, or
    another attempt is on it. `attempt` is the attempt this task claimed before (its retry
    takes it up again); an attempt that started more than STALE_AFTER ago is taken over."""
    return attempt_claim(
        SignalPhoto,
        pk=photo_id,
        waiting=Status.PROCESSING,
        attempt=attempt,
        now=now or timezone.now(),
        stale_after=STALE_AFTER,
    )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _finish(photo: SignalPhoto, **fields) -> bool:
    """Write the end of this attempt, unless another attempt took the photo over meanwhile."""
    return bool(
        SignalPhoto.objects.filter(
            pk=photo.pk, status=Status.PROCESSING, attempts=photo.attempts
        ).update(**fields)
    )


def _fail(photo: SignalPhoto, message: str) -> str:
    """Give the photo up: shown as "could not be processed"; the upload as sent is deleted
    (it is never served, and it holds the metadata the re-encoding was to remove)."""
    with transaction.atomic():
        if _finish(photo, status=Status.FAILED, error=message, original=""):
            file_delete_on_commit(photo.original.name)
    return Status.FAILED


def signal_photo_process(*, photo_id: int, attempt: int | None = None) -> str:
    """Re-encode a photo being processed (`programmes.images.reencode_image`: no EXIF, no
    position, at most PHOTO_MAX_SIDE pixels), store the bare JPEG, mark it ready and delete
    the upload as sent. A ready or failed photo is left alone (the task may run twice).
    Raises TransientPhotoError when the attempt should be made again later."""
    try:
        photo = signal_photo_claim(photo_id=photo_id, attempt=attempt)
    except Exception as error:
        if is_transient(error):  # the database is away: this task tries again later
            raise TransientPhotoError(_describe(error), attempt=attempt) from error
        raise
    if photo is None:
        return "skipped"
    stored = ""
    try:
        with photo.original.open("rb") as fh:
            raw = fh.read()
        image = reencode_image(
            SimpleUploadedFile(photo.original.name.rsplit("/", 1)[-1], raw),
            max_bytes=PHOTO_MAX_BYTES,
            max_side=PHOTO_MAX_SIDE,
            allowed=PHOTO_KINDS,
            output="JPEG",
        )
        with Image.open(image) as probe:
            width, height = probe.size
        image.seek(0)
        field = photo.image.field
        stored = field.storage.save(field.generate_filename(photo, f"{photo.uuid}.jpg"), image)
        with transaction.atomic():
            if not _finish(
                photo,
                image=stored,
                width=width,
                height=height,
                status=Status.READY,
                original="",
                error="",
            ):
                _remove(field.storage, stored)
                return "skipped"
            file_delete_on_commit(photo.original.name)
            photo.image.name = stored
            # A service desk gets the photo once it is reviewed (services/photo_review.py).
        return Status.READY
    except ValidationError as error:  # the pixels cannot be read: trying again will not help
        logger.warning("photo %s cannot be re-encoded: %s", photo.pk, error.messages)
        return _fail(photo, "; ".join(error.messages)[:2000])
    except Exception as error:
        if stored:
            _remove(photo.image.storage, stored)
        transient = is_transient(error)
        if transient and photo.attempts < MAX_ATTEMPTS:
            logger.warning(
                "photo %s: attempt %s failed, tried again later: %s",
                photo.pk,
                photo.attempts,
                _describe(error),
            )
            with contextlib.suppress(DatabaseError):
                SignalPhoto.objects.filter(pk=photo.pk, attempts=photo.attempts).update(
                    error=_describe(error)
                )
            raise TransientPhotoError(_describe(error), attempt=photo.attempts) from error
        logger.exception("photo %s failed (attempt %s)", photo.pk, photo.attempts)
        message = _describe(error)
        if transient:
            message = f"Gave up after {photo.attempts} attempts. {message}"[:2000]
        # If the database is what failed, this write fails too; the photo stays processing and
        # the sweep fails it later (it has had its attempts).
        with contextlib.suppress(DatabaseError):
            return _fail(photo, message)
        return "interrupted"


def signal_photo_requeue_stale(*, now=None) -> int:
    """Queue again the photos a lost task or a dead worker left processing, and fail those
    that had their attempts (or waited GIVE_UP_AFTER); returns how many were queued. Runs
    across tenants (the caller switches scoping off): it reads ids and updates rows by id."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    stale_q = Q(attempted_at__lt=cutoff) | Q(attempted_at__isnull=True, created_at__lt=cutoff)
    stale = SignalPhoto.objects.filter(Q(status=Status.PROCESSING) & stale_q).values_list(
        "pk", "organisation_id", "attempts", "created_at", "original"
    )
    count = 0
    for pk, organisation_id, attempts, created_at, original in stale:
        if attempts >= MAX_ATTEMPTS or created_at < now - GIVE_UP_AFTER:
            with transaction.atomic():
                if SignalPhoto.objects.filter(
                    Q(pk=pk, status=Status.PROCESSING, attempts=attempts) & stale_q
                ).update(
                    status=Status.FAILED,
                    error=f"Could not be processed after {attempts} attempts.",
                    original="",
                ):
                    file_delete_on_commit(original)
            logger.warning("photo %s given up after %s attempts", pk, attempts)
            continue
        # The attempt that died holds the photo no more: the queued task may take it.
        SignalPhoto.objects.filter(
            pk=pk, status=Status.PROCESSING, attempts=attempts, attempted_at__lt=cutoff
        ).update(attempted_at=None)
        enqueue(_task(), photo_id=pk, organisation_id=organisation_id)
        count += 1
    return count

"""A signal's photo in and out: taken in as the phone's request body, and as an answer, the
same for its reporter and for the client's staff.

`read_photo_body`: the phone sends a photo as the request body itself (`Content-Type:
image/jpeg`, its id in the address), not as a form: a form would be parsed by Django's
multipart parser, in Python, 64 KB at a time (about 12 ms for 1 MB on the loaded measuring
machine, against about 3 ms to read the body as is and hash it). The body is read in large
chunks and kept in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, or else in a temporary file which
the storage then moves into place, and hashed once (SHA-256, the payload's fingerprint). It
is bounded before a byte is read (its declared length), and while reading (never more).

Only a processed photo (re-encoded, no metadata) is ever served. Until then the answer is a
placeholder image saying it is being processed (or that it could not be), never the upload as
sent: that still carries the phone's metadata, the position included.
"""

import hashlib
import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile
from django.http import HttpResponse, UnreadablePostError
from django.utils.html import escape
from django.utils.translation import gettext as _

from programmes.input import file_response
from programmes.models import ReadEntry
from programmes.services.reads import record_read

from . import selectors
from .models import SignalPhoto

# The image kinds a phone may send as the body, by Content-Type (what the file holds is then
# checked by its header, `programmes.images.inspect_image`, as for a form's file).
BODY_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "image/heif": "heic",
}
_CHUNK = 256 * 1024


class BodyRefused(Exception):
    """The body is not a photo this endpoint takes: `status` and the reason in words;
    `permanent`: sending the same again will not help."""

    def __init__(self, reason: str, status: int, permanent: bool = True):
        super().__init__(reason)
        self.reason, self.status, self.permanent = reason, status, permanent


def read_photo_body(request, *, name: str, max_bytes: int):
    """The request body as an uploaded file named `name` (plus the extension of its
    Content-Type) and the SHA-256 of its bytes as hex: (upload, digest). Raises BodyRefused:
    415 for a Content-Type that is no photo kind, 413 for a declared length over `max_bytes`,
    400 for an empty body or one shorter than declared (the connection broke off). The caller
    closes the upload (a temporary file is then removed, unless the storage moved it)."""
    content_type = request.content_type
    if content_type not in BODY_TYPES:
        raise BodyRefused(_("Send the photo as an image: JPEG, PNG or HEIC."), status=415)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_bytes:
        raise BodyRefused(
            _("The photo is too large (at most %(mb)s MB).") % {"mb": max_bytes // (1024 * 1024)},
            status=413,
        )
    if length <= 0:
        raise BodyRefused(_("Choose a photo."), status=400)
    filename = f"{name}.{BODY_TYPES[content_type]}"
    if length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
        upload = TemporaryUploadedFile(filename, content_type, length, None)
        target = upload.file
    else:
        target = io.BytesIO()
        upload = InMemoryUploadedFile(target, None, filename, content_type, length, None)
    received = 0
    try:
        while received < length:
            chunk = request.read(min(_CHUNK, length - received))
            if not chunk:
                break
            received += len(chunk)
            target.write(chunk)
    except UnreadablePostError:
        received = -1  # the connection broke off
    try:
        if received != length:
            raise BodyRefused(
                _("The photo did not arrive whole: send it again."), status=400, permanent=False
            )
    except BaseException:
        upload.close()
        raise
    target.flush()
    target.seek(0)
    if isinstance(target, io.BytesIO):
        with target.getbuffer() as view:  # the bytes as they are, not a copy
            digest = hashlib.sha256(view).hexdigest()
    else:
        digest = hashlib.file_digest(target, "sha256").hexdigest()
    upload.seek(0)
    return upload, digest


_PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240" '
    'role="img" aria-label="{text}"><rect width="320" height="240" fill="#e9ecef"/>'
    '<text x="160" y="125" font-family="sans-serif" font-size="16" fill="#495057" '
    'text-anchor="middle">{text}</text></svg>'
)


def photo_placeholder(photo: SignalPhoto) -> HttpResponse:
    """A small image in place of a photo that is not ready: never cached, so the photo itself
    shows as soon as it is."""
    if photo.status == SignalPhoto.Status.FAILED:
        text = _("This photo could not be processed")
    else:
        text = _("Photo being processed…")
    response = HttpResponse(
        _PLACEHOLDER.format(text=escape(text)), content_type="image/svg+xml; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Photo-Status"] = photo.status
    return response


def photo_response(*, signal, pk, released_only: bool = False, reader=None, request=None):
    """The photo `pk` of a signal the caller may see; 404 for a photo of another signal (and,
    `released_only`, for one not reviewed yet: the client's staff); a placeholder while it is
    not processed. `reader`: log the look in the read log (`programmes.services.reads`).
    Not cached by the browser: a blur replaces the image under the same address, and a
    cached copy would keep showing what was blurred."""
    photo = selectors.get_signal_photo(signal=signal, pk=pk, released_only=released_only)
    if photo.status != SignalPhoto.Status.READY or not photo.image:
        return photo_placeholder(photo)
    if reader is not None:
        record_read(user=reader, subjects=photo, what=ReadEntry.What.PHOTO, request=request)
    response = file_response(photo.image, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-cache"
    return response

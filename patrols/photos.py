"""A signal's photo as an answer: the same for its reporter and for the client's staff.

Only a processed photo (re-encoded, no metadata) is ever served. Until then the answer is a
placeholder image saying it is being processed (or that it could not be), never the upload as
sent: that still carries the phone's metadata, the position included.
"""

from django.http import HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from programmes.input import file_response

from . import selectors
from .models import SignalPhoto

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


def photo_response(*, signal, pk):
    """The photo `pk` of a signal the caller may see, cached privately for an hour; 404 for a
    photo of another signal; a placeholder while it is not processed."""
    photo = selectors.get_signal_photo(signal=signal, pk=pk)
    if photo.status != SignalPhoto.Status.READY or not photo.image:
        return photo_placeholder(photo)
    response = file_response(photo.image, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response

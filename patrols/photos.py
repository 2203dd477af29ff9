"""A signal's photo as an answer: the same for its reporter and for the client's staff."""

from programmes.input import file_response

from . import selectors


def photo_response(*, signal, pk):
    """The photo `pk` of a signal the caller may see, cached privately for an hour; 404 for a
    photo of another signal."""
    photo = selectors.get_signal_photo(signal=signal, pk=pk)
    response = file_response(photo.image, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response

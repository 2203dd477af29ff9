"""Error pages in the site's style and the user's language."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from .closure import ProgrammeClosed, closed_message


def wants_json(request) -> bool:
    """The phone app's outbox asks for JSON: it gets a reason it can show instead of a page."""
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _page(request, status: int):
    return render(request, f"errors/{status}.html", status=status)


def _refusal(reason: str, status: int):
    # `permanent`: sending the same request again will not help (see patrols/api.py).
    return JsonResponse(
        {"reason": reason, "permanent": True, "errors": {"__all__": [reason]}}, status=status
    )


def request_too_large(request):
    """413 for a request body over the limit (settings.REQUEST_MAX_BYTES or Django's own
    DATA_UPLOAD_MAX_MEMORY_SIZE), in the user's language."""
    if wants_json(request):
        return _refusal(_("This is too large to send."), 413)
    return _page(request, 413)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)  # Django raises it as a 400 when the body is read
    return _page(request, 400)


def permission_denied(request, exception=None):
    if isinstance(exception, ProgrammeClosed):
        if wants_json(request):
            return _refusal(closed_message(), 403)
        return render(request, "errors/programme_closed.html", status=403)
    if wants_json(request):
        return _refusal(_("You may not send this (any more)."), 403)
    return _page(request, 403)


def page_not_found(request, exception=None):
    if wants_json(request):
        return _refusal(_("What this belongs to is no longer there, so it cannot be stored."), 404)
    return _page(request, 404)


def server_error(request):
    # Rendered without a request context: the failing request may be what broke.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())

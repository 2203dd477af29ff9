"""Small helpers shared by the base app's views."""

from django.core.exceptions import ValidationError

from .. import selectors
from ..permissions import Perm, has_perm


def form_errors_to(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form that fed it."""
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error)


def client_admins_for(user) -> list:
    """Whom to ask for a new client when `user` may not add one (empty when they may): the
    people the permission table allows it, in the user's own consultancy."""
    if has_perm(user, Perm.ORGANISATION_MANAGE):
        return []
    return list(selectors.people_who_may(user=user, perm=Perm.ORGANISATION_MANAGE))


def query_param(request, name: str, max_length: int = 100) -> str:
    """A GET parameter as a clean search or filter value: no control characters (PostgreSQL
    refuses NUL bytes in text), trimmed and cut to `max_length`."""
    value = request.GET.get(name, "")
    return "".join(ch for ch in value if ch.isprintable()).strip()[:max_length]


def posted_id(request, name: str) -> int:
    """An id from the posted form; 0 (which matches nothing) when it is missing or not a
    number, so a tampered form gets a 404 instead of an error."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else 0


# A status fragment that polls asks again after 1, 2, 4 ... up to this many seconds.
POLL_MAX_SECONDS = 30


def poll_backoff(request) -> dict:
    """The next poll of a status fragment (`?poll=` counts the looks so far, bounded): its delay
    doubles up to POLL_MAX_SECONDS, so a long job does not have every open page ask each second.
    """
    try:
        poll = max(0, min(int(request.GET.get("poll", "0")), 10))
    except ValueError:
        poll = 0
    return {"delay": min(POLL_MAX_SECONDS, 2**poll), "next_poll": poll + 1}

"""Limits on public forms (the application page, the survey): a few sends per visitor and page
in a window, counted in the shared cache.

The counter is per visitor (`net.client_key`, so everyone behind the reverse proxy does not
share one), per action and per page (organisation and programme or survey), so a busy
neighbourhood on one client's page never blocks another client's page. Someone who may manage
the programme (a project leader entering applications at the information meeting) is never
limited: `may_manage` is the caller's check.
"""

import logging

from django.core.cache import cache
from django.utils.translation import gettext as _

from .net import client_key

logger = logging.getLogger(__name__)


def public_form_hit(request, *, action: str, page: str, limit: int, window: int) -> bool:
    """Count one send of `action` on `page` for this visitor; False once more than `limit`
    sends fell within `window` seconds (a fixed window from the first send)."""
    key = f"rl:public:{action}:{page}:{client_key(request)}"
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this is the first of a new window
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception:  # a cache that is away must not stop residents from applying
        logger.warning("public form limit not counted: cache unavailable", exc_info=True)
        return True
    return count <= limit


def form_limited(form):
    """`form`, still holding what the visitor typed, with a clear message on top: the caller
    renders it again with status 429, so nothing typed is lost."""
    form.is_valid()  # shows the field errors as well, to be fixed while waiting
    form.add_error(
        None,
        _(
            "You sent this form too often in a short time. Nothing was saved yet and what you "
            "typed is still here: wait a few minutes and send it again."
        ),
    )
    return form

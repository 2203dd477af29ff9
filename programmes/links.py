"""Links made for use outside the site: in mails, PDFs and QR codes.

Every absolute URL is built here from the configured site address (`settings.SITE_URL`), so no
mail, printed flyer or certificate can point to another host or port than the one the site is
served on. A request's own host is never used: it comes from the client and could be forged.
"""

from django.conf import settings
from django.urls import reverse


def site_url() -> str:
    """The site's address without a trailing slash, e.g. https://bewonersteam.example.org."""
    return settings.SITE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """`path` (e.g. "/apply/...") as an absolute URL on the site."""
    return site_url() + "/" + path.lstrip("/")


def reverse_absolute(viewname: str, *, kwargs: dict | None = None) -> str:
    """`reverse(viewname, kwargs=kwargs)` as an absolute URL on the site."""
    return absolute_url(reverse(viewname, kwargs=kwargs))

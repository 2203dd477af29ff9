"""Request middleware: the tenant scope for every request, and the user's language.

`TenancyMiddleware` is the one place web requests switch on a django-scopes scope (pretix's
control middleware does the same): a URL with an `org` kwarg runs in that organisation's scope
after the user's access is checked (404 when they may not see it, a login redirect when
anonymous); any other request of a logged-in user runs in the scope of all organisations they
may see; anonymous requests run with no scope, so a tenant query there raises.

Also here: the privacy headers (no caching of personal pages, Permissions-Policy, clearing the
cache at logout) and the request size limit.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import translation
from django_scopes import scope

from .errors import request_too_large
from .models import Organisation
from .selectors import get_organisation_for, organisation_ids_for


class TenancyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        view_class = getattr(match.func, "view_class", None)
        public = getattr(view_class, "public", False)
        user = request.user
        slug = match.kwargs.get("org")
        if slug is not None:
            if public:
                org = Organisation.objects.filter(slug=slug, is_active=True).first()
                if org is None:
                    raise Http404
            else:
                if not user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                org = get_organisation_for(user=user, slug=slug)
            request.organisation = org
            with scope(organisation=org.pk):
                return self.get_response(request)
        if user.is_authenticated:
            with scope(organisation=organisation_ids_for(user=user)):
                return self.get_response(request)
        return self.get_response(request)


class UserLanguageMiddleware:
    """Use the language saved on the account when the browser has no language cookie yet
    (a new phone, say); the language switch writes both."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


# Browser features the site never uses are switched off; the phone app needs the position (a
# signal's place). A file input with `capture` opens the phone's own camera app and needs no
# camera permission, so the camera stays off too.
PERMISSIONS_POLICY = ", ".join(
    [
        "geolocation=(self)",
        "camera=()",
        "microphone=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "hid=()",
        "midi=()",
        "accelerometer=()",
        "gyroscope=()",
        "magnetometer=()",
        "display-capture=()",
        "browsing-topics=()",
    ]
)


def _logged_out(sender, request=None, **kwargs):
    if request is not None:
        request.logged_out = True


user_logged_out.connect(_logged_out, dispatch_uid="programmes.middleware.logged_out")


def _logged_in(sender, request=None, user=None, **kwargs):
    """The rest of the login request speaks the account's language, as every later request
    does (`UserLanguageMiddleware`): the "signed in" message is written now, in the
    browser's language unless this switches it."""
    if (
        request is not None
        and user is not None
        and user.language
        and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
    ):
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language


user_logged_in.connect(_logged_in, dispatch_uid="programmes.middleware.logged_in")


class PrivacyHeadersMiddleware:
    """Personal pages and downloads are never kept by a browser or proxy cache; logout clears
    the browser's cache of this site.

    Every response to a logged-in user (and every response that sets a cookie, such as the
    login itself) gets `Cache-Control: no-store, private` unless the view chose its own (a
    photo, the service worker). Static files stay cacheable, and so do public pages. Logout
    answers with `Clear-Site-Data: "cache"`; never "storage": that would delete records on
    the phone that were not sent yet (the logout form warns about those instead). Placed
    right after SecurityMiddleware so it sees the session and CSRF cookies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(settings.STATIC_URL):
            return response
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        logged_out = getattr(request, "logged_out", False)
        personal = (user is not None and user.is_authenticated) or response.cookies or logged_out
        if personal and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store, private"
        if logged_out:
            response.headers["Clear-Site-Data"] = '"cache"'
        return response


class RequestSizeLimitMiddleware:
    """A request body larger than settings.REQUEST_MAX_BYTES is answered with 413 before it is
    read (the reverse proxy's client_max_body_size should say the same; see the README)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            return request_too_large(request)
        return self.get_response(request)

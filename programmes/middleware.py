"""Request middleware: the tenant scope for every request, and the user's language.

`TenancyMiddleware` is the one place web requests switch on a django-scopes scope (pretix's
control middleware does the same): a URL with an `org` kwarg runs in that organisation's scope
after the user's access is checked (404 when they may not see it, a login redirect when
anonymous); any other request of a logged-in user runs in the scope of all organisations they
may see; anonymous requests run with no scope, so a tenant query there raises.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import translation
from django_scopes import scope

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
        from django.conf import settings

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

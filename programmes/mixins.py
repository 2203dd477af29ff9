"""The view mixins that declare who may open a view; the tenant-isolation test reads them.

Every view of ours uses exactly one of them: `PermissionMixin` (a permission from the role
table) or `PublicMixin` (no login, the page guards itself, e.g. with an unguessable token).
`ClientMixin` and `ProgrammeMixin` add the client and the programme of the URL to a view that
declares its permission.
"""

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import selectors
from .models import Organisation
from .permissions import Perm, has_perm


class PublicMixin:
    public = True


class LoginRequiredMixin:
    """Logged in, with two-factor authentication for consultancy staff; any role."""

    public = False
    permission: Perm | None = None

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.is_consultancy_staff and not is_mfa_enabled(user):
            # Consultancy staff see every client's data: no access before 2FA is set up.
            messages.warning(
                request,
                _("Set up two-factor authentication first: you work with clients' data."),
            )
            return redirect("mfa_activate_totp")
        if self.permission is not None and not has_perm(user, self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PermissionMixin(LoginRequiredMixin):
    """Requires `permission` (a `Perm`) from the role table; 403 otherwise."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.permission is None and not cls.__name__.startswith("_"):
            raise TypeError(f"{cls.__name__} must declare a permission")


class ClientMixin:
    """The client from the URL (already access-checked by the middleware); never the
    consultancy itself."""

    def get_client(self) -> Organisation:
        org = self.request.organisation
        if org.is_consultancy:
            raise Http404
        return org


class ProgrammeMixin(ClientMixin, PermissionMixin):
    """A programme of the client in the URL that the user may see (404 otherwise)."""

    permission = Perm.PROGRAMME_VIEW

    def get_programme(self):
        if not hasattr(self, "_programme"):
            self._programme = selectors.get_programme_for(
                user=self.request.user,
                pk=self.kwargs["programme_pk"],
                organisation=self.get_client(),
            )
        return self._programme

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            client=self.get_client(), programme=self.get_programme(), **kwargs
        )

    def redirect_to(self, name: str, **kwargs):
        """Redirect to another page of this programme."""
        programme = self.get_programme()
        return redirect(name, org=programme.organisation.slug, programme_pk=programme.pk, **kwargs)

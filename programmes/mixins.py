"""The view mixins that declare who may open a view; the tenant-isolation test reads them.

Every view of ours uses exactly one of them: `PermissionMixin` (permissions from the role
table, declared per HTTP method: `permission` to open the view, `method_permissions` for what
a post needs on top) or `PublicMixin` (no login, the page guards itself, e.g. with an
unguessable token). `ClientMixin` and `ProgrammeMixin` add the client and the programme of the
URL to a view that declares its permissions.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from . import selectors
from .closure import is_closed, refuse_if_closed
from .models import Organisation, Programme, ProgrammeClosure, User
from .permissions import Perm, has_perm


class PublicMixin:
    """No login: the page guards itself (an unguessable token, a rate limit)."""

    public = True
    # As for every view of ours: read and post, nothing else (405).
    http_method_names = ["get", "post", "head", "options"]


# The methods that only read: `permission` alone covers them. Every other method a view
# handles (POST; PUT, PATCH or DELETE where a view allows them) names what it needs in
# `method_permissions`.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class ByAction:
    """What one method needs when its request does one of several things, chosen by the
    posted field that names it (`{"reward_user": Perm.REWARD_MANAGE}`); `default` when the
    request names none of them. One table the mixin checks before the handler runs."""

    actions: Mapping[str, Perm]
    default: Perm

    def for_request(self, request) -> Perm:
        data = request.POST if request.method == "POST" else request.GET
        return next((perm for field, perm in self.actions.items() if field in data), self.default)

    def for_action(self, action: str | None) -> Perm:
        return self.actions.get(action, self.default) if action else self.default


def handled_writes(cls) -> list[str]:
    """The methods other than reading that view class `cls` answers (allowed, with a
    handler): each must be declared in its `method_permissions`."""
    return [
        m.upper()
        for m in getattr(cls, "http_method_names", ())
        if m.upper() not in READ_METHODS and callable(getattr(cls, m, None))
    ]


class LoginRequiredMixin:
    """Logged in, with two-factor authentication for consultancy staff; any role.

    A view declares what it needs per method: `permission` to open it at all (every method;
    enough for GET, HEAD and OPTIONS), and in `method_permissions` what each other method it
    handles needs on top (`{"POST": Perm.PROGRAMME_MANAGE}`, or a `ByAction` table when one
    POST does several things). Both are checked here, before the handler runs (403); a
    template or context flag asks `view.may("POST")`, which reads the same declaration. A
    view that handles a method it declares nothing for fails at import.
    """

    public = False
    # Our pages read and post forms; PUT, PATCH and DELETE (which Django's FormView would
    # answer like a POST) are refused with 405 unless a view lists them and declares them.
    http_method_names = ["get", "post", "head", "options"]
    permission: Perm | None = None
    method_permissions: Mapping[str, Perm | ByAction] = MappingProxyType({})

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__name__.startswith("_"):
            return
        undeclared = [m for m in handled_writes(cls) if m not in cls.method_permissions]
        if undeclared:
            raise TypeError(
                f"{cls.__name__} handles {', '.join(undeclared)} without a permission: "
                "declare it in method_permissions"
            )

    @classmethod
    def permissions_for(cls, method: str, *, action: str | None = None) -> list[Perm]:
        """Every permission `method` needs on this view; for a `ByAction` table, with the
        one of `action` (its default when None)."""
        needed = [cls.permission] if cls.permission is not None else []
        method = method.upper()
        if method in READ_METHODS:
            return needed
        declared = cls.method_permissions.get(method)
        if isinstance(declared, ByAction):
            declared = declared.for_action(action)
        return needed + ([declared] if declared is not None else [])

    def permissions_for_request(self, request) -> list[Perm]:
        """Every permission this request needs: its method's, and for a `ByAction` table the
        one of the action the request names."""
        declared = self.method_permissions.get(request.method)
        if isinstance(declared, ByAction):
            needed = [self.permission] if self.permission is not None else []
            return [*needed, declared.for_request(request)]
        return self.permissions_for(request.method)

    @classmethod
    def allows(cls, user, method: str = "GET", action: str | None = None) -> bool:
        """Whether this view lets `user` do `method` (and `action`): for a link or button to
        it on another page, from the declaration the view enforces."""
        return all(has_perm(user, perm) for perm in cls.permissions_for(method, action=action))

    def may(self, method: str = "POST", action: str | None = None) -> bool:
        """Whether the user may do `method` (and `action`) here: for showing a form or a
        button, from the same declaration the mixin enforces."""
        return self.allows(self.request.user, method, action)

    def refuse_write(self, request) -> None:
        """Raise (a `PermissionDenied`) when a write that the role allows may still not be
        made here; nothing by default (a closed programme refuses, see `ProgrammeMixin`)."""

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
        method = request.method.lower()
        handled = method in self.http_method_names and callable(getattr(self, method, None))
        if handled and not all(has_perm(user, p) for p in self.permissions_for_request(request)):
            raise PermissionDenied
        if handled and request.method not in READ_METHODS:
            self.refuse_write(request)
        # A method the view does not handle: Django answers 405 below, whatever the role.
        return super().dispatch(request, *args, **kwargs)


class PermissionMixin(LoginRequiredMixin):
    """Requires the declared permissions (each a `Perm` of the role table) for every method
    the view handles; 403 otherwise. A view must declare at least one."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__name__.startswith("_"):
            return
        reads = callable(getattr(cls, "get", None)) and "get" in cls.http_method_names
        if reads and cls.permission is None:
            raise TypeError(f"{cls.__name__} must declare a permission")
        if not reads and cls.permission is None and not cls.method_permissions:
            raise TypeError(f"{cls.__name__} must declare a permission")


class ClientMixin:
    """The client from the URL (already access-checked by the middleware); never the
    consultancy itself."""

    def get_client(self) -> Organisation:
        org = self.request.organisation
        if org.is_consultancy:
            raise Http404
        return org


# Stand-ins for the request's values in the programme's statement, compiled once per role
# (and database): the user, the user's organisation, the URL's client and programme id; no
# real row has a negative id.
_MARKS = (-987_654_331, -987_654_332, -987_654_333, -987_654_334)
_programme_statements: dict[tuple[str, str], tuple[str, tuple, list[str]]] = {}


def _programme_statement(role: str, using: str) -> tuple[str, tuple, list[str]]:
    """`selectors.get_programme_for` with an organisation, as one statement compiled by the
    ORM for stand-in values (SQL, its parameters with the marks, the columns it selects):
    building the query cost a fifth of a trivial page on every programme page."""
    key = (using, role)
    if key not in _programme_statements:
        user_mark, user_org_mark, org_mark, pk_mark = _MARKS
        stand_in = User(pk=user_mark, role=role, organisation_id=user_org_mark)
        # Outside the request's scope: the client is named in the filter itself (the URL's,
        # which the middleware checked the user may see), as are the role's limits.
        with scopes_disabled():
            # Whether it was closed comes with it (last column): every programme page asks.
            closed = Exists(ProgrammeClosure.objects.filter(programme_id=OuterRef("pk")))
            qs = (
                selectors.programmes_for(user=stand_in)
                .select_related(None)
                .filter(organisation_id=org_mark, pk=pk_mark)
                .annotate(closed_flag=closed)
                .order_by("pk")[:1]
            )
            sql, params = qs.query.get_compiler(using).as_sql()
        columns = [field.attname for field in Programme._meta.concrete_fields]
        _programme_statements[key] = (sql, tuple(params), columns)
    return _programme_statements[key]


def programme_for_request(*, user, pk: int, client: Organisation) -> Programme:
    """The programme `pk` of `client` if `user` may see it (404 otherwise): what
    `selectors.get_programme_for(user=..., pk=..., organisation=client)` answers, from a
    statement compiled once per role; its organisation is `client`, already loaded, and
    whether it was closed is known without a query of its own."""
    using = Programme.objects.db
    sql, marked, columns = _programme_statement(user.role, using)
    user_mark, user_org_mark, org_mark, pk_mark = _MARKS
    values = {user_mark: user.pk, user_org_mark: user.organisation_id, org_mark: client.pk}
    pk = int(pk)
    if not 0 < pk < 2**63:  # no such row; too large for the database's integer besides
        raise Http404
    values[pk_mark] = pk
    params = [values.get(p, p) if type(p) is int else p for p in marked]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Http404
    programme = Programme.from_db(using, columns, row[: len(columns)])
    programme.organisation = client
    programme._closed = bool(row[len(columns)])  # read by programmes.closure.is_closed
    return programme


class ProgrammeMixin(ClientMixin, PermissionMixin):
    """A programme of the client in the URL that the user may see (404 otherwise).

    A closed programme is read-only: every method but reading is refused here before the
    handler runs (`programmes.closure`), and `may` answers no for it, so pages hide their
    forms. A view that must still write to it sets `writes_when_closed`.
    """

    permission = Perm.PROGRAMME_VIEW
    writes_when_closed = False

    def refuse_write(self, request) -> None:
        if not self.writes_when_closed:
            refuse_if_closed(self.get_programme())

    def may(self, method: str = "POST", action: str | None = None) -> bool:
        writes = method.upper() not in READ_METHODS and not self.writes_when_closed
        if writes and is_closed(self.get_programme()):
            return False
        return super().may(method, action)

    @property
    def programme_closed(self) -> bool:
        """Whether the programme of this page was closed (the page says "Closed")."""
        return is_closed(self.get_programme())

    def get_programme(self):
        if not hasattr(self, "_programme"):
            self._programme = programme_for_request(
                user=self.request.user, pk=self.kwargs["programme_pk"], client=self.get_client()
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

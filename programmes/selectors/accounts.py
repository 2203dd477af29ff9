"""Reads about organisations, accounts, invitations and the audit log, taking the acting user.

Fetching by a URL id goes through `get_<thing>_for(user=..., ...)`, which answers 404 both for
"missing" and for "not yours", so an outsider cannot tell the two apart.
"""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .. import statements
from ..models import AuditEntry, Invitation, Organisation, User
from ..permissions import Role, roles_with
from ..statements import id_mark, text_mark


def organisations_for(*, user) -> QuerySet[Organisation]:
    """The active organisations `user` may see: a consultancy admin sees the consultancy and all
    its clients, a project leader the consultancy and the clients assigned to them, everyone
    else only their own organisation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Organisation.objects.none()
    qs = Organisation.objects.filter(is_active=True)
    if user.role == Role.CONSULTANCY_ADMIN:
        return qs.filter(Q(pk=user.organisation_id) | Q(consultancy_id=user.organisation_id))
    if user.role == Role.PROJECT_LEADER:
        return qs.filter(
            Q(pk=user.organisation_id)
            | Q(consultancy_id=user.organisation_id, project_leaders=user)
        ).distinct()
    return qs.filter(pk=user.organisation_id)


_ORGANISATION_COLUMNS = ("pk", "slug", "name", "kind")
_USER_MARK, _USER_ORGANISATION_MARK = id_mark(0), id_mark(1)
_ATTNAMES = [field.attname for field in Organisation._meta.concrete_fields]


def organisation_rows_for(*, user) -> list[dict]:
    """`organisations_for` as rows (pk, slug, name, kind), by name: read once per request and
    kept on the user object, so the tenant scope, the filters naming organisations and the
    links to them share one query; compiled once per role."""
    cached = getattr(user, "_organisation_rows", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            cached = []
        else:
            role = user.role

            def build():
                stand_in = User(pk=_USER_MARK, role=role, organisation_id=_USER_ORGANISATION_MARK)
                return organisations_for(user=stand_in).values_list(*_ORGANISATION_COLUMNS)

            if user.organisation_id is None:  # no organisation to stand in for: the ORM's own
                found = organisations_for(user=user).values_list(*_ORGANISATION_COLUMNS)
            else:
                found = statements.rows(
                    ("organisation_rows", role),
                    build,
                    {_USER_MARK: user.pk, _USER_ORGANISATION_MARK: user.organisation_id},
                    using=Organisation.objects.db,
                )
            cached = [dict(zip(_ORGANISATION_COLUMNS, row, strict=True)) for row in found]
        user._organisation_rows = cached
    return cached


def organisation_ids_for(*, user) -> list[int]:
    """The ids of `organisations_for`, cached on the user object for the request."""
    return [row["pk"] for row in organisation_rows_for(user=user)]


def organisation_choices_for(*, user, clients_only: bool = False) -> list[dict]:
    """The slug and name of each organisation `user` may see, by name (only the clients with
    `clients_only`, as `clients_for`): a filter's choices, without a query of their own."""
    return [
        {"slug": row["slug"], "name": row["name"]}
        for row in organisation_rows_for(user=user)
        if not (clients_only and row["kind"] == Organisation.Kind.CONSULTANCY)
    ]


def find_organisation_for(*, user, slug: str) -> Organisation | None:
    """The organisation with this slug if `user` may see it; None otherwise (for an optional
    filter or preset, where a wrong slug is simply ignored)."""
    if not slug:
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.organisation_id is None:  # no organisation to stand in for: the ORM's own
        return organisations_for(user=user).filter(slug=slug).first()
    # Every page of a client asks: one statement compiled once per role.
    role = user.role
    slug_mark = text_mark(0)

    def build():
        stand_in = User(pk=_USER_MARK, role=role, organisation_id=_USER_ORGANISATION_MARK)
        return organisations_for(user=stand_in).filter(slug=slug_mark).values_list(*_ATTNAMES)[:1]

    using = Organisation.objects.db
    found = statements.rows(
        ("organisation_by_slug", role),
        build,
        {_USER_MARK: user.pk, _USER_ORGANISATION_MARK: user.organisation_id, slug_mark: slug},
        using=using,
    )
    return Organisation.from_db(using, _ATTNAMES, found[0]) if found else None


def get_organisation_for(*, user, slug: str) -> Organisation:
    """The organisation with this slug if `user` may see it; 404 otherwise."""
    org = find_organisation_for(user=user, slug=slug)
    if org is None:
        raise Http404
    return org


def clients_for(*, user, q: str = "") -> QuerySet[Organisation]:
    """The client organisations (not the consultancy) `user` may see, for the workspace;
    `q` searches their names."""
    qs = organisations_for(user=user).exclude(kind=Organisation.Kind.CONSULTANCY)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


def client_list_for(*, user, q: str = "", kind: str = "") -> QuerySet[Organisation]:
    """The clients list: each client `user` may see with its number of active accounts
    (`n_users`); `q` searches name and city, `kind` (an `Organisation.Kind`) filters."""
    clients = clients_for(user=user).annotate(
        n_users=Count("members", filter=Q(members__is_active=True), distinct=True)
    )
    if q:
        clients = clients.filter(Q(name__icontains=q) | Q(city__icontains=q))
    if kind in Organisation.Kind.values:
        clients = clients.filter(kind=kind)
    return clients


def users_for(*, user, organisation=None) -> QuerySet[User]:
    """Accounts in the organisations `user` may see (only `organisation`'s when given)."""
    qs = User.objects.filter(organisation__in=organisation_ids_for(user=user))
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation").order_by("organisation__name", "name")


def user_list_for(*, user, q: str = "", role: str = "", organisation_slug: str = ""):
    """The users page: `users_for` as rows (dicts) of what the page shows (`pk`, `name`,
    `email`, `role`, `is_active`, `organisation__name`), ordered for paging; `q` finds names
    and e-mail addresses that start with it (a prefix match, which an index on the column can
    answer, unlike a substring search), `role` (a `Role` value) and `organisation_slug` narrow
    the list."""
    ids = organisation_ids_for(user=user)
    if not ids:
        return _user_list(ids, q, role, organisation_slug)
    # Its count and pages are statements compiled once per number of organisations and
    # filters used (`programmes.statements`). Each organisation's accounts come in name order
    # from the (organisation, name) index and are merged (`statements.per_organisation`),
    # rather than every account sorted for a page of them.
    id_marks = [id_mark(i) for i in range(len(ids))]
    q_mark, role_mark, slug_mark = text_mark(0), text_mark(1), text_mark(2)
    role = role if role in Role.values else ""
    values = dict(zip(id_marks, ids, strict=True))
    values |= {q_mark: q, role_mark: role, slug_mark: organisation_slug}
    filters = (
        q_mark if q else "",
        role_mark if role else "",
        slug_mark if organisation_slug else "",
    )

    def build():
        return statements.per_organisation(
            lambda marks: _user_filtered(marks, *filters), id_marks, USER_ROW_FIELDS, USER_ORDER
        )

    return statements.CompiledRows(
        (
            "user_list_for",
            len(ids),
            bool(q),
            bool(role),
            bool(organisation_slug),
            statements.MERGE_LIMIT,
        ),
        build,
        values,
        names=USER_ROW_FIELDS,
        using=User.objects.db,
        counted=lambda: _user_filtered(id_marks, *filters).values("pk"),
    )


USER_ROW_FIELDS = (
    "pk",
    "name",
    "email",
    "role",
    "is_active",
    "organisation__name",
    "organisation_id",
)
USER_ORDER = ("organisation__name", "name", "pk")


def _user_filtered(organisation_ids, q: str, role: str, organisation_slug: str) -> QuerySet:
    qs = User.objects.filter(organisation__in=organisation_ids)
    if q:
        qs = qs.filter(Q(name__istartswith=q) | Q(email__istartswith=q))
    if role:
        qs = qs.filter(role=role)
    if organisation_slug:
        qs = qs.filter(organisation__slug=organisation_slug)
    return qs


def _user_list(organisation_ids, q: str, role: str, organisation_slug: str) -> QuerySet:
    return (
        _user_filtered(organisation_ids, q, role, organisation_slug)
        .order_by(*USER_ORDER)
        .values(*USER_ROW_FIELDS)
    )


# What the open invitations' table shows of each invitation.
INVITATION_ROW_FIELDS = (
    "id",
    "organisation_id",
    "email",
    "name",
    "role",
    "created_at",
    "expires_at",
    "accepted_at",
    "revoked_at",
)


def unaccepted_invitation_rows(*, organisation_id: int | None = None) -> statements.CompiledRows:
    """`unaccepted_invitations_for` (only `organisation_id`'s when given) as rows of
    `INVITATION_ROW_FIELDS` with `organisation__name`, newest first, to be cut into pages:
    its count and pages are statements compiled once, in the request's tenant scope."""
    mark = id_mark(0)

    def build():
        qs = Invitation.objects.filter(accepted_at__isnull=True)
        if organisation_id is not None:
            qs = qs.filter(organisation_id=mark)
        return qs.order_by("-created_at", "-id").values(
            *INVITATION_ROW_FIELDS, "organisation__name"
        )

    return statements.CompiledRows(
        ("unaccepted_invitation_rows", organisation_id is not None),
        build,
        {mark: organisation_id} if organisation_id is not None else {},
        names=(*INVITATION_ROW_FIELDS, "organisation__name"),
        using=Invitation.objects.db,
        scoped=True,
    )


def colleagues_for(*, user, organisation) -> QuerySet[User]:
    """The active client staff of `organisation` that `user` may see, for the portal."""
    return users_for(user=user, organisation=organisation).filter(
        role=Role.CLIENT_STAFF, is_active=True
    )


def people_who_may(*, user, perm) -> QuerySet[User]:
    """The active people of the user's own organisation whose role grants `perm`: whom to ask
    when the user may not do it themselves (e.g. who can add a client)."""
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    return User.objects.filter(
        organisation_id=user.organisation_id, role__in=roles_with(perm), is_active=True
    ).order_by("name")


def get_user_for(*, user, pk: int) -> User:
    """The account with this id if `user` may see it; 404 otherwise."""
    found = users_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def invitations_for(*, user) -> QuerySet[Invitation]:
    """Invitations in the active scope (the user's organisations), newest first."""
    return Invitation.objects.select_related("organisation", "invited_by").order_by("-created_at")


def unaccepted_invitations_for(*, user, organisation=None) -> QuerySet[Invitation]:
    """Invitations not (yet) accepted, withdrawn ones included, newest first; only those of
    `organisation` when given."""
    qs = invitations_for(user=user).filter(accepted_at__isnull=True)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def open_invitation_count(*, user) -> int:
    """How many invitations still wait for an answer (neither accepted nor withdrawn)."""
    # One statement for every user, compiled once per tenant scope (`programmes.statements`).
    return statements.count(
        "open_invitation_count",
        lambda: (
            invitations_for(user=user)
            .filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .order_by()
            .values("pk")
        ),
        {},
        Invitation.objects.db,
        scoped=True,
    )


def get_invitation_for(*, user, pk: int) -> Invitation:
    """The invitation with this id in the active scope; 404 otherwise."""
    found = invitations_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def audit_entries_for(*, user, organisation_slug: str = ""):
    """The ids of the audit entries in the active scope, newest first, to count and cut into
    pages (`audit_rows` then reads a page of them); only one organisation's when
    `organisation_slug` is given. Sorting bare ids, not rows joined to their actor and
    organisation, keeps a page cheap at thousands of entries."""
    mark = text_mark(0)

    def build():
        qs = AuditEntry.objects.all()
        if organisation_slug:
            qs = qs.filter(organisation__slug=mark)
        return qs.values_list("pk")

    # Its count and pages are statements compiled once per filter (`programmes.statements`).
    return statements.CompiledRows(
        ("audit_entries_for", bool(organisation_slug)),
        build,
        {mark: organisation_slug},
        using=AuditEntry.objects.db,
        scoped=True,
        flat=True,
    )


def audit_rows(ids) -> list[dict]:
    """The entries with these ids (a page of `audit_entries_for`), newest first, as rows
    (dicts) of what the log shows: `created_at`, `action`, `object_repr`, the actor
    (`actor_id`, `actor__name`, `actor__email`, and `actor_name`, kept after the account is
    gone) and `organisation__name`. Rows, not model instances with their actor and
    organisation: a page of them costs a third as much. A page of `audit_entries_for` goes
    into the statement as its subquery: one query, compiled once (`programmes.statements`)."""
    return statements.dicts_of_ids("audit_rows", _audit_rows, ids, AuditEntry.objects.db)


def _audit_rows(ids):
    return AuditEntry.objects.filter(pk__in=ids).values(
        "created_at",
        "action",
        "object_repr",
        "actor_id",
        "actor__name",
        "actor__email",
        "actor_name",
        "organisation__name",
    )

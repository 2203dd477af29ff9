"""Template context for the page chrome: which navigation the user's role gets, and the
unread count of the notifications badge."""

from django.db import connections
from django.utils.functional import SimpleLazyObject
from django_scopes import scopes_disabled

from .models import Notification, User
from .permissions import Perm, has_perm
from .registry import chrome_version, nav_links, team_home
from .selectors.accounts import organisations_for
from .selectors.notifications import UNREAD_CAP, unread_count

# Stand-ins for the user's id and organisation in the badge's statement, compiled once per
# role (and database); no real row has a negative id.
_USER_MARK, _ORGANISATION_MARK = -987_654_321, -987_654_322
# (database alias, role) -> (SQL, its parameters with the marks in place of the user's values).
_badge_statements: dict[tuple[str, str], tuple[str, tuple]] = {}


def _badge_statement(role: str, using: str) -> tuple[str, tuple]:
    """The badge's COUNT for a user of `role`, as `unread_count` builds it (the user's
    notifications shown in the app, unread, in an organisation the user may see, at most
    UNREAD_CAP + 1 counted), compiled by the ORM once for a stand-in user: building the
    query cost as much as a whole trivial page, and every page shows the badge."""
    key = (using, role)
    if key not in _badge_statements:
        stand_in = User(pk=_USER_MARK, role=role, organisation_id=_ORGANISATION_MARK)
        with scopes_disabled():  # the organisations are named in the filter itself
            unread = (
                Notification.objects.filter(
                    recipient=stand_in,
                    in_app=True,
                    read_at__isnull=True,
                    organisation__in=organisations_for(user=stand_in).values("pk"),
                )
                .order_by()
                .values("pk")[: UNREAD_CAP + 1]
            )
            sql, params = unread.query.get_compiler(using).as_sql()
        _badge_statements[key] = (f"SELECT COUNT(*) FROM ({sql}) badge", tuple(params))  # noqa: S608 - the ORM's own SQL
    return _badge_statements[key]


def unread_badge_count(user) -> int:
    """`selectors.notifications.unread_count(user=user)` in one statement compiled once per
    role: the same COUNT, the same single query on every page, without building it again."""
    if user.organisation_id is None:  # no organisation to stand in for: the ORM's own
        return unread_count(user=user)
    if not user.is_active:
        return 0
    using = Notification.objects.db
    sql, marked = _badge_statement(user.role, using)
    values = {_USER_MARK: user.pk, _ORGANISATION_MARK: user.organisation_id}
    params = [values.get(p, p) if isinstance(p, int) else p for p in marked]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _badge(user) -> dict:
    count = unread_badge_count(user)
    return {"count": count, "label": f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)}


# (role, active, what the apps registered) -> the main navigation's entries.
_navs: dict[tuple, dict] = {}


def navigation(request) -> dict:
    """The main navigation's entries for the user's role (no queries: the role decides, so
    they are worked out once per role), and the unread notifications: one capped COUNT, run
    only when a template shows the badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_organisation": getattr(request, "organisation", None)}
    key = (user.role, user.is_active, chrome_version())
    nav = _navs.get(key)
    if nav is None:
        nav = _navs[key] = _nav(user)
    return {
        "nav": nav,
        "notifications_unread": SimpleLazyObject(lambda: _badge(user)),
        "current_organisation": getattr(request, "organisation", None),
    }


def _nav(user) -> dict:
    return {
        "workspace": has_perm(user, Perm.WORKSPACE_VIEW),
        "users": has_perm(user, Perm.USER_VIEW),
        "audit": has_perm(user, Perm.AUDIT_VIEW),
        "mail": has_perm(user, Perm.MAIL_MANAGE),
        "manage": has_perm(user, Perm.ORGANISATION_MANAGE),
        "portal": has_perm(user, Perm.PORTAL_VIEW) and not user.is_consultancy_staff,
        "team": has_perm(user, Perm.TEAM_APP_VIEW),
        # The "My team" link: the team member's home an app registered, if any.
        "team_home": team_home() if has_perm(user, Perm.TEAM_APP_VIEW) else None,
        "notifications": has_perm(user, Perm.OWN_NOTIFICATIONS),
        # Entries the apps registered (the consultancy's overview), for the roles they name.
        "links": [link for link in nav_links() if has_perm(user, link.permission)],
    }

"""Template context for the page chrome: which navigation the user's role gets, and the
unread count of the notifications badge."""

from django.utils.functional import SimpleLazyObject

from .permissions import Perm, has_perm
from .registry import nav_links, team_home
from .selectors.notifications import UNREAD_CAP, unread_count


def _badge(user) -> dict:
    count = unread_count(user=user)
    return {"count": count, "label": f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)}


def navigation(request) -> dict:
    """The main navigation's entries for the user's role (no queries: the role decides), and
    the unread notifications: one capped COUNT, run only when a template shows the badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_organisation": getattr(request, "organisation", None)}
    return {
        "nav": {
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
        },
        "notifications_unread": SimpleLazyObject(lambda: _badge(user)),
        "current_organisation": getattr(request, "organisation", None),
    }

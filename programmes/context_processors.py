"""Template context for the page chrome: which navigation the user's role gets."""

from .permissions import Perm, has_perm
from .registry import team_home


def navigation(request) -> dict:
    """The main navigation's entries for the user's role (no queries: the role decides)."""
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
        },
        "current_organisation": getattr(request, "organisation", None),
    }

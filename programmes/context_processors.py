"""Template context for the page chrome: which navigation the user's role gets."""

from .permissions import Perm, has_perm


def navigation(request) -> dict:
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
        },
        "current_organisation": getattr(request, "organisation", None),
    }

"""The team member's upcoming team meetings with their answer buttons, for the phone app's
home (whichever app offers it): `{% load team_meetings %}{% my_team_meetings %}`."""

from django import template

from ..selectors.meeting_series import my_team_meeting_invitations

register = template.Library()


@register.inclusion_tag("programmes/includes/my_team_meetings.html", takes_context=True)
def my_team_meetings(context, limit: int = 3):
    """The member's next team meetings (one query) and the client whose app this is."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "invitations": my_team_meeting_invitations(user=user, limit=limit),
        "client": context.get("client") or getattr(request, "organisation", None),
        "csrf_token": context.get("csrf_token"),
    }

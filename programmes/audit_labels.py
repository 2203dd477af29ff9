"""Labels of the base app's audit actions, as the audit log shows them."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import Invitee

ACTIONS = {
    "organisation.created": _("Organisation created"),
    "organisation.updated": _("Organisation changed"),
    "invitation.created": _("Invitation sent"),
    "invitation.resent": _("Invitation sent again"),
    "invitation.revoked": _("Invitation withdrawn"),
    "invitation.accepted": _("Invitation accepted"),
    "user.blocked": _("User blocked"),
    "user.unblocked": _("User unblocked"),
    "programme.created": _("Programme created"),
    "programme.updated": _("Programme changed"),
    "programme.intake_saved": _("Intake saved"),
    "programme.intake_completed": _("Intake completed"),
    "programme.progress": _("Progress of the programme recorded"),
    "team.member_added": _("Team member added"),
    "team.member_removed": _("Team member taken off the team"),
    "team.readiness": _("Readiness for rounds changed"),
    "plan.generated": _("Plan of approach made"),
    "plan_template.saved": _("Plan template saved"),
    "milestone.created": _("Milestone added"),
    "milestone.updated": _("Milestone changed"),
    "milestone.deleted": _("Milestone deleted"),
    "milestone.done": _("Milestone ticked off"),
    "milestone.reopened": _("Milestone reopened"),
    "meeting.created": _("Meeting planned"),
    "meeting.updated": _("Meeting changed"),
    "invitee.added": _("Invitee added"),
    "invitee.attendance": _("Attendance recorded"),
    "invitee.promoted": _("Invitee moved up from the waiting list"),
    "document.requested": _("Document requested"),
    "document.retried": _("Document made again after it failed"),
    "bulk.started": _("Bulk action started"),
    "outbox.cancelled": _("Mail cancelled"),
    **{
        f"invitee.{value}": format_lazy(_("Reply to the invitation: {status}"), status=label)
        for value, label in Invitee.Status.choices
    },
}

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
    "team.contact_shared": _("Contact details shared with the client"),
    "team.contact_withdrawn": _("Contact details no longer shared with the client"),
    "membership.paused": _("Membership paused"),
    "membership.resumed": _("Membership resumed after a pause"),
    "membership.left": _("Member left the team"),
    "membership.rejoined": _("Member rejoined the team"),
    "membership.gear_returned": _("Gear of a member who left marked"),
    "membership.stop_requested": _("Member asked to stop"),
    "team.cohort": _("Member moved to a training cohort"),
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
    "meeting_series.created": _("Meeting series planned"),
    "meeting_series.invited": _("Everyone invited to the meeting series"),
    "meeting.agenda": _("Agenda of the meeting saved"),
    "meeting.notes": _("Notes of the meeting saved"),
    "agreement.added": _("Agreement recorded"),
    "agreement.carried": _("Agreement carried to the next meeting"),
    "agreement.done": _("Agreement done"),
    "agreement.open": _("Agreement open again"),
    "document.requested": _("Document requested"),
    "document.retried": _("Document made again after it failed"),
    "bulk.started": _("Bulk action started"),
    "outbox.cancelled": _("Mail cancelled"),
    **{
        f"invitee.{value}": format_lazy(_("Reply to the invitation: {status}"), status=label)
        for value, label in Invitee.Status.choices
    },
}

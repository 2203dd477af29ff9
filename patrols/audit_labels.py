"""Labels of the patrols app's audit actions, as the audit log shows them."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .workflow import Status

ACTIONS = {
    "round.started": _("Round started"),
    "round.ended": _("Round ended"),
    "round.signed_up": _("Signed up for a round"),
    "round.signed_off": _("Signed off from a round"),
    "round_slots.created": _("Rounds planned"),
    "signal.reported": _("Signal reported"),
    "signal.confirmed": _("Signal confirmed by a team member"),
    "conversation.reported": _("Conversation recorded"),
    "activity.logged": _("Activity logged"),
    "category.saved": _("Signal category saved"),
    "effort_rule.saved": _("Effort agreement saved"),
    "reward.handed_out": _("Reward handed out"),
    "reward.withdrawn": _("Reward taken back"),
    "signal.photo_added": _("Photo added to a signal"),
    "signal.photo_blurred": _("Photo of a signal blurred for the client"),
    "signal.photo_clear": _("Photo of a signal shown to the client: nothing to blur"),
    "handoff_channel.created": _("Hand-off channel connected"),
    "handoff_channel.activated": _("Hand-off channel switched on"),
    "handoff_channel.deactivated": _("Hand-off channel switched off"),
    "handoff_channel.statuses_mapped": _("Hand-off channel's statuses mapped"),
    "handoff_channel.services_fetched": _("Open311 services fetched"),
    "handoff_channel.services_mapped": _("Open311 services chosen per category"),
    "handoff_route.created": _("Hand-off route added"),
    "handoff_route.deleted": _("Hand-off route removed"),
    "handoff.delivered": _("Signal handed to the client's system"),
    "handoff.failed": _("Hand-off of a signal failed"),
    "handoff.retried": _("Hand-off of a signal tried again"),
    "handoff.status_received": _("Status received from the client's system"),
    "department.created": _("Department added"),
    "department.deleted": _("Department removed"),
    "signal.department_assigned": _("Signal assigned to a department"),
    **{
        f"signal.{value}": format_lazy(_("Signal set to: {status}"), status=label)
        for value, label in Status.choices
    },
}

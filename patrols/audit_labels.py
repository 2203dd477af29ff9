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
    "conversation.reported": _("Conversation recorded"),
    "category.saved": _("Signal category saved"),
    "effort_rule.saved": _("Effort agreement saved"),
    "reward.handed_out": _("Reward handed out"),
    "reward.withdrawn": _("Reward taken back"),
    "signal.photo_added": _("Photo added to a signal"),
    **{
        f"signal.{value}": format_lazy(_("Signal set to: {status}"), status=label)
        for value, label in Status.choices
    },
}

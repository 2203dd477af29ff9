"""Labels of recruitment's audit actions, as the audit log shows them."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import Survey
from .workflow import Stage

ACTIONS = {
    "application.received": _("Application received"),
    "application.from_survey": _("Application made from a survey answer"),
    "application.merged": _("Applications merged"),
    "application.decision_undone": _("Decision on an application undone"),
    "campaign.saved": _("Recruitment campaign saved"),
    "channel.added": _("Recruitment channel added"),
    "door.visited": _("Door knocked on"),
    "door.visited_again": _("Door knocked on again"),
    "retention.applications_deleted": _("Expired applications deleted"),
    "survey.created": _("Neighbourhood survey created"),
    "survey.follow_up_created": _("Follow-up of the neighbourhood survey created"),
    "survey.concluded": _("Conclusions of the neighbourhood survey saved"),
    "survey.question_added": _("Question added to the neighbourhood survey"),
    "survey.question_removed": _("Question removed from the neighbourhood survey"),
    "survey.response_received": _("Answer to the neighbourhood survey received"),
    **{
        f"application.{value}": format_lazy(_("Application moved to: {stage}"), stage=label)
        for value, label in Stage.choices
    },
    **{
        f"survey.{value}": format_lazy(_("Neighbourhood survey set to: {status}"), status=label)
        for value, label in Survey.Status.choices
    },
}

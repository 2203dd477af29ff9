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
    "survey.created": _("Neighbourhood survey created"),
    "survey.concluded": _("Conclusions of the neighbourhood survey saved"),
    **{
        f"application.{value}": format_lazy(_("Application moved to: {stage}"), stage=label)
        for value, label in Stage.choices
    },
    **{
        f"survey.{value}": format_lazy(_("Neighbourhood survey set to: {status}"), status=label)
        for value, label in Survey.Status.choices
    },
}

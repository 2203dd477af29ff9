"""The guidance's entries in the base's registries: the "Evaluations" and "Action plan" tabs
and portal links, the PDFs of an evaluation and of the final report, the notification kinds
and the audit labels. Called from `programmes.apps` like an app's own registration."""

from django.utils.translation import gettext_lazy as _

from .notification_kinds import NotificationKind, register_notification_kind
from .permissions import Role
from .registry import (
    PROGRAMME,
    DocumentKind,
    PortalLink,
    ProgrammeTab,
    register_document_kind,
    register_portal_link,
    register_programme_tab,
)

AUDIT_ACTIONS = {
    "evaluation.planned": _("Evaluation planned"),
    "evaluation.updated": _("Evaluation written down"),
    "evaluation.open": _("Evaluation opened for the client's input"),
    "evaluation.held": _("Evaluation held"),
    "evaluation.shared": _("Evaluation shared with the client"),
    "evaluation.client_input": _("The client's input to an evaluation"),
    "evaluation_schedule.set": _("Evaluation schedule set"),
    "action.created": _("Action added to the action plan"),
    "action.updated": _("Action of the action plan changed"),
    "programme.closed": _("Programme closed"),
}


def register_guidance() -> None:
    from . import guidance_tasks  # noqa: F401, PLC0415 - registers the periodic job's task
    from .audit import register_audit_actions  # noqa: PLC0415 - imports the models
    from .models.guidance import EVALUATION_REPORT, FINAL_REPORT  # noqa: PLC0415 - models load late
    from .selectors import guidance as selectors  # noqa: PLC0415 - imports the models
    from .services.guidance import EVALUATION_DUE, EVALUATION_OPEN  # noqa: PLC0415 - imports the models

    register_programme_tab(
        ProgrammeTab(
            _("Evaluations"),
            "programme_evaluations",
            order=820,
            active=("programme_evaluation", "programme_close"),
        )
    )
    register_programme_tab(
        ProgrammeTab(_("Action plan"), "programme_actions", order=830, active=("action_update",))
    )
    register_portal_link(
        PortalLink(_("Evaluations"), "portal_evaluations", scope=PROGRAMME, order=50)
    )
    register_portal_link(PortalLink(_("Action plan"), "portal_actions", scope=PROGRAMME, order=55))
    register_document_kind(
        DocumentKind(
            code=EVALUATION_REPORT,
            label=_("Evaluation"),
            builder=selectors.evaluation_pdf,
            permission=None,  # made when the project leader shares the evaluation
            needs_ref=True,
            describe=selectors.evaluation_document_label,
        )
    )
    register_document_kind(
        DocumentKind(
            code=FINAL_REPORT,
            label=_("Final report"),
            builder=selectors.final_report_pdf,
            permission=None,  # made when the programme is closed
            needs_ref=True,
        )
    )
    register_notification_kind(
        NotificationKind(
            code=EVALUATION_DUE,
            label=_("An evaluation is due"),
            description=_("The evaluation schedule of a programme you lead planned the next ones."),
            audience={Role.PROJECT_LEADER, Role.CONSULTANCY_ADMIN},
            order=60,
        )
    )
    register_notification_kind(
        NotificationKind(
            code=EVALUATION_OPEN,
            label=_("An evaluation asks for your input"),
            description=_("The project leader opened an evaluation with you for your input."),
            audience={Role.CLIENT_STAFF},
            order=60,
        )
    )
    register_audit_actions(AUDIT_ACTIONS)

"""App configuration for programmes, the base app every other app builds on."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .permissions import Perm
from .registry import (
    BulkKind,
    DocumentKind,
    PortalLink,
    ProgrammeTab,
    register_bulk_kind,
    register_document_kind,
    register_portal_link,
    register_programme_tab,
)


class ProgrammesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self):
        from .audit import register_audit_actions  # noqa: PLC0415 - imports the models
        from .audit_labels import ACTIONS  # noqa: PLC0415 - imports the models

        register_audit_actions(ACTIONS)
        register_base_pages()
        from .board_pages import register_board  # noqa: PLC0415 - imports the models

        register_board()
        from .guidance_pages import register_guidance  # noqa: PLC0415 - imports the models

        register_guidance()
        from .personal_data import register as register_privacy  # noqa: PLC0415 - imports the models

        register_privacy()
        register_membership()


def register_base_pages() -> None:
    """The base's own programme tabs, document kind and bulk kind, registered like any app's,
    so the order of all tabs is data: the base's at 10-30 and 900, the apps' in between."""
    from .models.documents import PLAN_OF_APPROACH  # noqa: PLC0415 - models load after apps.py
    from .services.documents import plan_of_approach_pdf  # noqa: PLC0415 - imports the models
    from .services.meeting_series import (  # noqa: PLC0415 - imports the models
        SERIES_INVITE,
        series_invite_chunk,
    )
    from .services.meetings import (  # noqa: PLC0415 - imports the models
        MEETING_INVITE,
        meeting_invite_chunk,
    )

    for tab in (
        ProgrammeTab(_("Overview"), "programme_detail", order=10),
        ProgrammeTab(_("Intake"), "programme_intake", order=20),
        ProgrammeTab(_("Plan of approach"), "programme_plan", order=30),
        ProgrammeTab(_("Sent mail"), "programme_outbox", order=900),
    ):
        register_programme_tab(tab)
    register_portal_link(PortalLink(_("Meetings and agreements"), "portal_meetings", order=40))
    register_document_kind(
        DocumentKind(
            code=PLAN_OF_APPROACH,
            label=_("Plan of approach"),
            builder=plan_of_approach_pdf,
            permission=Perm.DOCUMENT_VIEW,  # the client asks for it on the portal too
        )
    )
    register_bulk_kind(
        BulkKind(
            code=MEETING_INVITE,
            label=_("Inviting people"),
            process=meeting_invite_chunk,
            personal=("people",),  # the names and addresses typed in: not kept once done
        )
    )
    register_bulk_kind(
        BulkKind(
            code=SERIES_INVITE,
            label=_("Inviting everyone to a meeting series"),
            process=series_invite_chunk,
            progress=ngettext_lazy(
                "%(done)s of %(total)s person invited",
                "%(done)s of %(total)s people invited",
                "total",
            ),
            personal=("people",),
        )
    )


def register_membership() -> None:
    """The team over time: the "Team" tab (between the training track and the rounds) and
    the notice a project leader gets when a member asks to stop."""
    from .notification_kinds import (  # noqa: PLC0415 - next to the registration it serves
        NotificationKind,
        register_notification_kind,
    )
    from .permissions import Role  # noqa: PLC0415 - next to the registration it serves
    from .services.membership import STOP_REQUEST_KIND  # noqa: PLC0415 - imports the models

    register_programme_tab(ProgrammeTab(_("Team"), "programme_team", order=250))
    register_notification_kind(
        NotificationKind(
            code=STOP_REQUEST_KIND,
            label=_("A member wants to stop"),
            description=_("A team member told you in the app that they want to stop."),
            audience={Role.PROJECT_LEADER, Role.CONSULTANCY_ADMIN},
            digest=False,
            order=40,
        )
    )

"""App configuration for programmes, the base app every other app builds on."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .permissions import Perm
from .registry import (
    BulkKind,
    DocumentKind,
    ProgrammeTab,
    register_bulk_kind,
    register_document_kind,
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


def register_base_pages() -> None:
    """The base's own programme tabs, document kind and bulk kind, registered like any app's,
    so the order of all tabs is data: the base's at 10-30 and 900, the apps' in between."""
    from .models.documents import PLAN_OF_APPROACH  # noqa: PLC0415 - models load after apps.py
    from .services.documents import plan_of_approach_pdf  # noqa: PLC0415 - imports the models
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

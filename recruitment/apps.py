"""App configuration for recruitment: plugs its pages, portal card and link, and documents
into the base's registries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from programmes.permissions import Perm
from programmes.registry import (
    BulkKind,
    DocumentKind,
    PortalLink,
    ProgrammeTab,
    register_bulk_kind,
    register_document_kind,
    register_portal_cards,
    register_portal_link,
    register_programme_tab,
)


class RecruitmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recruitment"
    verbose_name = _("Recruitment")

    def ready(self):
        from .privacy import register as register_privacy  # noqa: PLC0415 - imports the models

        register_privacy()
        from programmes.audit import register_audit_actions  # noqa: PLC0415 - imports the models

        from . import documents, services  # noqa: PLC0415 - both import the models
        from .audit_labels import ACTIONS  # noqa: PLC0415 - imports the models
        from .cards import candidate_cards  # noqa: PLC0415 - imports the models
        from .notifications import register as register_notifications  # noqa: PLC0415 - imports the models

        register_audit_actions(ACTIONS)
        register_portal_cards(candidate_cards)
        register_notifications()
        for tab in (
            ProgrammeTab(
                _("Recruitment"),
                "recruitment:programme_selection",
                order=100,
                active=("recruitment:application_entry", "recruitment:campaign_settings"),
            ),
            ProgrammeTab(_("Campaign"), "recruitment:programme_campaign", order=110),
            ProgrammeTab(
                _("Survey"),
                "recruitment:survey_list",
                order=120,
                active=(
                    "recruitment:survey_edit",
                    "recruitment:survey_results",
                    "recruitment:survey_entry",
                ),
            ),
        ):
            register_programme_tab(tab)
        register_portal_link(
            PortalLink(
                _("Candidates for the team"),
                "recruitment:portal_candidates",
                order=10,
            )
        )
        for kind in (
            DocumentKind(
                code=documents.RECRUITMENT_FLYER,
                label=_("Recruitment flyer (A5)"),
                builder=documents.recruitment_flyer,
                permission=Perm.PROGRAMME_MANAGE,
            ),
            DocumentKind(
                code=documents.RECRUITMENT_POSTER,
                label=_("Recruitment poster (A3)"),
                builder=documents.recruitment_poster,
                permission=Perm.PROGRAMME_MANAGE,
            ),
            DocumentKind(
                code=documents.SURVEY_REPORT,
                label=_("Survey report"),
                builder=documents.survey_report,
                permission=Perm.PROGRAMME_MANAGE,
                needs_ref=True,  # the survey's id: asked for on the survey's results page
            ),
        ):
            register_document_kind(kind)
        register_bulk_kind(
            BulkKind(
                code=services.APPLICANTS_INVITE,
                label=_("Inviting the applicants"),
                process=services.applicants_invite_chunk,
            )
        )

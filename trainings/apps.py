"""App configuration for trainings: plugs its page and documents into the base's registries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from programmes.permissions import Perm
from programmes.registry import (
    BulkKind,
    DocumentKind,
    ProgrammeTab,
    register_bulk_kind,
    register_document_kind,
    register_programme_tab,
)

from .audit_labels import ACTIONS


class TrainingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trainings"
    verbose_name = _("Trainings")

    def ready(self):
        from .privacy import register as register_privacy  # noqa: PLC0415 - imports the models

        register_privacy()
        from programmes.audit import register_audit_actions  # noqa: PLC0415 - imports the models

        from . import (  # noqa: PLC0415 - they import the models
            documents,
            services,  # noqa: F401 - registers the readiness explainer
        )

        register_audit_actions(ACTIONS)
        register_programme_tab(
            ProgrammeTab(
                _("Trainings"),
                "trainings:programme_trainings",
                order=200,
                # The track page's actions answer with the page itself when a form is wrong.
                active=tuple(
                    f"trainings:{name}"
                    for name in (
                        "track_create",
                        "team_invite",
                        "assess",
                        "rules_save",
                        "ready",
                        "gear_hand_out",
                        "streets_save",
                        "introduction_save",
                        "revoke",
                        "revoke_undo",
                    )
                ),
            )
        )
        for kind in (
            DocumentKind(
                code=documents.CERTIFICATE,
                label=_("Certificate"),
                builder=documents.certificate_pdf,
                permission=None,  # made when someone passes, never asked for by hand
                needs_ref=True,  # the certificate's id
                on_ready=documents.mail_certificate,
            ),
            DocumentKind(
                code=documents.INTRODUCTION_FLYER,
                label=_("Introduction flyer (A5)"),
                builder=documents.introduction_flyer,
                permission=Perm.PROGRAMME_MANAGE,
            ),
            DocumentKind(
                code=documents.INTRODUCTION_POSTER,
                label=_("Introduction poster (A3)"),
                builder=documents.introduction_poster,
                permission=Perm.PROGRAMME_MANAGE,
            ),
        ):
            register_document_kind(kind)
        register_bulk_kind(
            BulkKind(
                code=services.TEAM_INVITE,
                label=_("Inviting the team"),
                process=services.team_invite_chunk,
            )
        )
        register_bulk_kind(
            BulkKind(
                code=services.CERTIFICATES_ISSUE,
                label=_("Issuing the certificates"),
                process=services.certificates_issue_chunk,
                progress=ngettext_lazy(
                    "%(done)s of %(total)s certificates issued",
                    "%(done)s of %(total)s certificates issued",
                    "total",
                ),
            )
        )

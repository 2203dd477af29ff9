"""App configuration for reporting: plugs its pages into the base's registries (portal links,
programme tabs, the navigation, document kinds), one block per area."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        # Each area registers its own entries below, in a block of its own.

        # --- Personal data register (reporting/privacy.py)
        from .privacy import register as register_privacy  # noqa: PLC0415 - imports the models

        register_privacy()
        # --- end of personal data register

        # --- Documents page and consultancy overview (reporting/views/documents.py, overview.py)
        from programmes.permissions import Perm  # noqa: PLC0415 - registries are filled once the apps are loaded
        from programmes.registry import (  # noqa: PLC0415 - registries are filled once the apps are loaded
            CLIENT,
            PROGRAMME,
            NavLink,
            PortalLink,
            register_nav_link,
            register_portal_link,
        )

        register_portal_link(
            PortalLink(_("Documents"), "reporting:documents", scope=CLIENT, order=40)
        )
        register_portal_link(
            PortalLink(
                _("Documents"),
                "reporting:documents",
                scope=PROGRAMME,
                order=40,
                programme_query="programme",
            )
        )
        register_nav_link(
            # Not "Overview": that is the programme's first tab.
            NavLink(_("State of play"), "reporting:overview", Perm.WORKSPACE_VIEW, order=20)
        )
        # --- end of documents page and consultancy overview

        # --- Periodic report (reporting/views/reports.py, services/reports.py)
        from programmes.audit import register_audit_actions  # noqa: PLC0415 - imports the models
        from programmes.registry import (  # noqa: PLC0415 - registries are filled once the apps are loaded
            DocumentKind,
            ProgrammeTab,
            register_document_kind,
            register_programme_tab,
        )

        from .models.reports import PERIODIC_REPORT  # noqa: PLC0415 - models load after the registry
        from .selectors import reports as report_selectors  # noqa: PLC0415 - imports the models
        from .services import reports as report_services  # noqa: PLC0415 - imports the models

        register_programme_tab(
            ProgrammeTab(
                _("Reports"),
                "reporting:programme_reports",
                order=800,
                active=("reporting:report_detail",),
            )
        )
        register_document_kind(
            DocumentKind(
                code=PERIODIC_REPORT,
                label=_("Periodic report"),
                builder=report_selectors.report_pdf,
                permission=None,  # made when the project leader approves a report
                needs_ref=True,  # the report's id and period
                on_ready=report_services.report_send,
                client_visible=report_selectors.sent_report_documents,
                describe=report_selectors.report_document_label,
            )
        )
        register_audit_actions(
            {
                "report.schedule_set": _("Periodic report schedule set"),
                "report.drafted": _("Periodic report drafted"),
                "report.updated": _("Periodic report draft changed"),
                "report.approved": _("Periodic report approved"),
                "report.sent": _("Periodic report sent"),
                "report.failed": _("Periodic report failed"),
                "report.retried": _("Periodic report tried again"),
            }
        )
        # --- end of periodic report

        # --- Exports (reporting/exports/, views/exports.py, services/exports.py)
        from programmes.audit import (  # noqa: PLC0415 - imports the models
            register_audit_actions as register_export_actions,
        )

        register_export_actions({"data_export.downloaded": _("Data exported")})
        # --- end of exports

        # --- Background exports (reporting/services/exports.py, tasks/exports.py)
        from programmes.notification_kinds import (  # noqa: PLC0415 - registries are filled once the apps are loaded
            NotificationKind as ExportNotificationKind,
        )
        from programmes.notification_kinds import (  # noqa: PLC0415 - registries are filled once the apps are loaded
            register_notification_kind as register_export_notification_kind,
        )
        from programmes.permissions import Role as ExportRole  # noqa: PLC0415 - registries are filled once the apps are loaded

        register_export_actions({"data_export.retried": _("Export tried again")})
        register_export_notification_kind(
            ExportNotificationKind(
                code="data_export.ready",
                label=_("Your export is ready"),
                description=_("A large export you asked for can be downloaded."),
                # Who may export: the portal's readers.
                audience=frozenset(
                    {
                        ExportRole.CLIENT_STAFF,
                        ExportRole.PROJECT_LEADER,
                        ExportRole.CONSULTANCY_ADMIN,
                    }
                ),
                digest=False,  # the person is waiting for it
                order=900,
            )
        )
        # --- end of background exports

        # --- Dashboards (reporting/views/dashboard.py, selectors/figures.py, charts.py)
        from programmes import registry as dashboard_registry  # noqa: PLC0415 - registries are filled once the apps are loaded

        for dashboard_link in (
            dashboard_registry.PortalLink(
                _("Figures"), "reporting:dashboard", scope=dashboard_registry.CLIENT, order=10
            ),
            dashboard_registry.PortalLink(
                _("Figures"),
                "reporting:programme_dashboard",
                scope=dashboard_registry.PROGRAMME,
                order=10,
            ),
        ):
            dashboard_registry.register_portal_link(dashboard_link)
        dashboard_registry.register_programme_tab(
            dashboard_registry.ProgrammeTab(
                _("Figures"), "reporting:workspace_dashboard", order=400
            )
        )
        # --- end of dashboards

        # --- Report notices (reporting/notifications.py)
        from .notifications import register as register_report_notices  # noqa: PLC0415 - imports the models

        register_report_notices()
        # --- end of report notices
        pass

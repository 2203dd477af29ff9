"""App configuration for patrols: plugs its pages, portal cards and links, and the team
member's home into the base's registries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from programmes.registry import (
    CLIENT,
    PortalLink,
    ProgrammeTab,
    TeamHome,
    register_portal_cards,
    register_portal_link,
    register_programme_tab,
    register_team_home,
)

from .audit_labels import ACTIONS


class PatrolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "patrols"
    verbose_name = _("Patrols")

    def ready(self):
        from .privacy import register as register_privacy  # noqa: PLC0415 - imports the models

        register_privacy()
        from programmes.audit import register_audit_actions  # noqa: PLC0415 - imports the models

        from . import models_handoff  # noqa: F401, PLC0415 - the hand-off models, beside models.py
        from .cards import signal_cards  # noqa: PLC0415 - imports the models
        from .handoff import notify as handoff_notify  # noqa: PLC0415 - imports the models
        from .handoff import tasks as handoff_tasks  # noqa: F401, PLC0415 - registers the hand-off tasks

        register_audit_actions(ACTIONS)
        register_portal_cards(signal_cards)
        for tab in (
            ProgrammeTab(_("Rounds"), "patrols:programme_rounds", order=300),
            ProgrammeTab(_("Effort"), "patrols:programme_effort", order=310),
            ProgrammeTab(_("Categories"), "patrols:programme_categories", order=320),
            ProgrammeTab(_("Hand-off"), "patrols:programme_handoff", order=330),
        ):
            register_programme_tab(tab)
        for link in (
            PortalLink(_("Signals from the team"), "patrols:portal_signals", scope=CLIENT),
            PortalLink(_("Your own systems"), "patrols:portal_handoff", scope=CLIENT, order=110),
            PortalLink(
                _("The team's rounds and effort"),
                "patrols:portal_effort",
                order=20,
            ),
            PortalLink(
                _("Signals from the team"),
                "patrols:portal_signals",
                order=30,
                programme_query="programme",  # the client's signal list, filtered
            ),
        ):
            register_portal_link(link)
        register_team_home(TeamHome(_("My team"), "patrols:team_home"))
        from .notifications import register as register_notifications  # noqa: PLC0415 - imports the models

        register_notifications()
        handoff_notify.register()

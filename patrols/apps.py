"""App configuration for patrols."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "patrols"
    verbose_name = _("Patrols")

    def ready(self):
        from programmes.audit import register_audit_actions

        from .audit_labels import ACTIONS

        register_audit_actions(ACTIONS)
        from programmes.registry import register_portal_cards

        from .cards import signal_cards

        register_portal_cards(signal_cards)

"""App configuration for programmes, the base app every other app builds on."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self):
        from .audit import register_audit_actions
        from .audit_labels import ACTIONS

        register_audit_actions(ACTIONS)

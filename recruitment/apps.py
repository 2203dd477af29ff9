"""App configuration for recruitment."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recruitment"
    verbose_name = _("Recruitment")

    def ready(self):
        from programmes.audit import register_audit_actions

        from .audit_labels import ACTIONS

        register_audit_actions(ACTIONS)
        from programmes.registry import register_portal_cards

        from . import documents  # noqa: F401 - registers the flyer and poster builders
        from .cards import candidate_cards

        register_portal_cards(candidate_cards)

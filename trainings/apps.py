"""App configuration for trainings."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trainings"
    verbose_name = _("Trainings")

    def ready(self):
        from programmes.audit import register_audit_actions

        from .audit_labels import ACTIONS

        register_audit_actions(ACTIONS)
        from . import (
            documents,  # noqa: F401 - registers the certificate builder
            services,  # noqa: F401 - registers the readiness explainer
        )

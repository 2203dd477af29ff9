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
        pass

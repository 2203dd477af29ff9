"""Load demo data that shows the whole product; idempotent.

The base app builds organisations, users and programmes (`programmes.demo`); then every
installed app with a `demo` module adds its own part with its own services (recruitment,
trainings, patrols), found by module name so the base app imports none of them. Running it
again changes nothing: every step looks up what it would make first.

Mails the services send while loading (invitations, confirmations, certificates) are kept in
the outbox as sent but not printed, so they do not bury the command's own output.
"""

import logging
import time
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django_scopes import scopes_disabled

from programmes import demo
from programmes.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, USERS  # noqa: F401 - quickstart

QUIET_MAIL = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


def app_demo_modules() -> list:
    """The `demo` modules of the installed apps other than the base, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if config.name == "programmes" or not module_has_submodule(config.module, "demo"):
            continue
        found.append(import_module(f"{config.name}.demo"))
    return found


class Command(BaseCommand):
    help = "Load demo data showing every part of the product; idempotent."

    def handle(self, *args, **options):
        started = time.monotonic()
        ctx = demo.DemoContext(today=timezone.localdate())
        # Demo data spans every tenant, so no single scope fits: this commented block is one of
        # the explicit places where scoping is switched off.
        # Quiet while loading: no mails printed, no task or PDF progress lines or warnings. The
        # documents (certificates) are made once the transaction commits, as in the product.
        logging.disable(logging.WARNING)
        try:
            # The transaction is left first, so its commit hooks still run quietly.
            with override_settings(MAILERS=QUIET_MAIL), scopes_disabled(), transaction.atomic():
                demo.load(ctx)
                for module in app_demo_modules():
                    module.load(ctx)
        finally:
            logging.disable(logging.NOTSET)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready ({ctx.created} new objects, {seconds:.1f} s).")
        )

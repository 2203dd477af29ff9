"""One command for a first look: migrate, load demo data, print the logins, serve.

Uses the embedded defaults (SQLite, tasks in-process, mail printed on the console).
"""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from .demo_data import DEMO_PASSWORD, DEMO_TOTP_SECRET, USERS


class Command(BaseCommand):
    help = "Migrate, load demo data, print the demo logins and run the development server."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Set up only; do not serve.")

    def handle(self, *args, addrport, no_serve, **options):
        if os.environ.get("RUN_MAIN") == "true":
            # The autoreloader's child process: the parent already set up and printed.
            call_command("runserver", addrport)
            return
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo_data")
        width = max(len(u[0]) for u in USERS)
        lines = ["", f"Demo logins (password for all: {DEMO_PASSWORD})", ""]
        for email, name, role, org in USERS:
            lines.append(f"  {email.ljust(width)}  {name}, {role.label} ({org})")
        lines += [
            "",
            "Consultancy staff use two-factor authentication: in development the code 000000",
            f"is accepted (or add secret {DEMO_TOTP_SECRET} to an authenticator app).",
            "Team members can also log in with a code sent by e-mail: mail is printed here.",
            "",
            f"Open http://{addrport}/",
            "",
        ]
        self.stdout.write("\n".join(lines))
        if not no_serve:
            if not settings.DEBUG:
                self.stderr.write("quickstart serves with the development server: DEBUG is off.")
            call_command("runserver", addrport)

"""One command for a first look: migrate, load demo data, print the logins, serve.

Uses the embedded defaults (SQLite, tasks in-process, mail printed on the console). Without a
broker the serving process also runs the periodic jobs (`programmes.inprocess_beat`).

Links in mails, PDFs and QR codes point to the address served on: the site address is set in
the environment before the development server starts, so its autoreloader's child process
reads the same SITE_URL when it loads the settings. The demo logins are printed after the
server's own banner, so they are the last thing on the screen.
"""

import logging
import os
import re

from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands.runserver import naiveip_re

from ... import inprocess_beat
from .demo_data import DEMO_PASSWORD, DEMO_TOTP_SECRET, USERS

DEFAULT_ADDRPORT = "127.0.0.1:8000"


def site_url_for(addrport: str) -> str:
    """The address a browser on this machine uses for `addrport` ("8107", "0.0.0.0:8107"...)."""
    match = re.match(naiveip_re, addrport)
    if match is None:
        raise CommandError(f"{addrport!r} is not a port number or address:port pair.")
    addr, _ipv4, ipv6, _fqdn, port = match.groups()
    if not addr or addr in ("0", "0.0.0.0", "[::]"):  # noqa: S104 - only displayed
        addr = "127.0.0.1"
    return f"http://{addr}:{port}"


def logins_text(site_url: str) -> str:
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
        f"Open {site_url}/",
        "",
    ]
    return "\n".join(lines)


def _runserver():
    """The installed `runserver` (staticfiles' own, which also serves the static files), with
    the demo logins printed under its start-up banner."""
    base = type(load_command_class(get_commands()["runserver"], "runserver"))

    class Runserver(base):
        def on_bind(self, server_port):
            super().on_bind(server_port)
            self.stdout.write(logins_text(settings.SITE_URL.rstrip("/")))

    return Runserver()


class Command(BaseCommand):
    help = "Migrate, load demo data, print the demo logins and run the development server."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default=DEFAULT_ADDRPORT)
        parser.add_argument(
            "--site-url",
            default="",
            help="Where links in mails, PDFs and QR codes point to "
            "(default: the address of --addrport).",
        )
        parser.add_argument("--no-serve", action="store_true", help="Set up only; do not serve.")

    def handle(self, *args, addrport, site_url, no_serve, **options):
        if os.environ.get("RUN_MAIN") == "true":
            # The autoreloader's child process: the parent already set up and set SITE_URL.
            # It serves, so it also runs the periodic jobs when there is no broker (the
            # parent only watches files and restarts it).
            # A line per task run (the periodic jobs every 30 s) would push the demo logins
            # off the screen; failures are still logged.
            logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
            inprocess_beat.start()
            call_command(_runserver(), addrport)
            return
        site_url = (site_url or site_url_for(addrport)).rstrip("/")
        # For this process and, through the environment, the server's child process.
        os.environ["SITE_URL"] = site_url
        settings.SITE_URL = site_url
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo_data", stdout=self.stdout)
        if no_serve:
            self.stdout.write(logins_text(site_url))
            return
        if not settings.DEBUG:
            self.stderr.write("quickstart serves with the development server: DEBUG is off.")
        call_command(_runserver(), addrport)

"""Rebuild the dashboard's summary tables from the signals (after a restore, or to check)."""

from django.core.management.base import BaseCommand

from reporting.services.summary import summaries_rebuild


class Command(BaseCommand):
    help = "Rewrite every dashboard summary cell from the signals, a programme-month at a time."

    def add_arguments(self, parser):
        parser.add_argument("--programme", type=int, action="append", help="only this programme")

    def handle(self, *args, programme=None, **options):
        # The service looks across every tenant itself (scoping off in one commented block).
        months = summaries_rebuild(programme_ids=programme)
        self.stdout.write(f"{months} programme-months rewritten")

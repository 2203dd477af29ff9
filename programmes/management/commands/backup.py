"""`manage.py backup --to DIR`: the database and the media folder into one folder.

PostgreSQL through `pg_dump` (custom format; the client tools must match the server's major
version), SQLite through its online backup API; the media folder as `media.tar.gz`; a
`manifest.json` with the row count of every table, which `restore` checks against.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programmes.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the media folder into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, type=Path, help="The folder to write.")

    def handle(self, *args, to: Path, **options):
        try:
            manifest = backup(to=to)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {to}: {manifest['database']} ({manifest['engine']}, "
                f"{rows} rows) and {manifest['media']}."
            )
        )

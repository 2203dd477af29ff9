"""`manage.py restore --from DIR`: a backup back into a fresh database and media folder.

The target database (the configured one, or `--database NAME`; for SQLite a file) and the
media folder (MEDIA_ROOT or `--media-root`) must be empty: a restore never mixes with data
that is already there. `--create-database` makes the PostgreSQL database first (`createdb`).
Afterwards the row count of every table is compared with the backup's manifest.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programmes.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `backup` into an empty database and media folder."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="source", required=True, type=Path, help="The backup folder."
        )
        parser.add_argument(
            "--database",
            help="Restore into this database (PostgreSQL: its name; SQLite: a file path) "
            "instead of the configured one.",
        )
        parser.add_argument("--media-root", type=Path, help="Instead of MEDIA_ROOT.")
        parser.add_argument(
            "--create-database", action="store_true", help="Create the database first."
        )

    def handle(self, *args, source, database, media_root, create_database, **options):
        try:
            result = restore(
                source=source,
                database=database,
                media_root=media_root,
                create_database=create_database,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        if result["rows"]:
            lines = [
                f"{label}: {want} in the backup, {got} restored"
                for label, (want, got) in result["rows"].items()
            ]
            raise CommandError("The restored rows differ from the backup:\n" + "\n".join(lines))
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored into {result['database']} and {result['media_root']}; "
                "every table has the rows the backup counted. Run `manage.py migrate` if this "
                "release has newer migrations, then point the site at it."
            )
        )

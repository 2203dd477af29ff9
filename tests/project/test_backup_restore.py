"""Backup and restore, end to end: dump the test database (PostgreSQL in CI, SQLite locally)
and the media folder, restore both into a fresh database and an empty folder, and find the
rows and the file back. The data must be committed for `pg_dump` to see it, hence a
transactional test."""

import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django_scopes import scopes_disabled

from programmes.backup import (
    BackupError,
    database_connection,
    drop_database,
    read_manifest,
    restore,
)
from programmes.demo import _logo_png
from programmes.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def _fresh_database_name(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        return str(tmp_path / "restored.sqlite3")
    return f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"


def test_backup_restores_into_a_fresh_database_with_its_files(world, tmp_path, settings):
    with scopes_disabled():
        world.client.logo.save("logo.png", ContentFile(_logo_png("GN", "#123456")))
        logo_name = world.client.logo.name
        logo_bytes = (Path(settings.MEDIA_ROOT) / logo_name).read_bytes()
        AuditEntry.objects.create(
            organisation=world.client,
            action="backup.test",
            object_type="organisation",
            object_id=str(world.client.pk),
            object_repr="Gemeente noord",
        )
    folder = tmp_path / "backup"
    call_command("backup", to=folder)
    manifest = read_manifest(folder)
    assert manifest["engine"] == ("sqlite" if connection.vendor == "sqlite" else "postgresql")
    assert manifest["rows"]["programmes_organisation"] == 3  # the world: consultancy, two clients
    assert (folder / manifest["database"]).stat().st_size > 0

    # A second backup into the same folder is refused, never overwrites; a restore never goes
    # into the live (filled) database, nor from a folder without a backup.
    with pytest.raises(CommandError):
        call_command("backup", to=folder)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", source=folder, media_root=tmp_path / "empty-media")
    with pytest.raises(CommandError, match="no backup"):
        call_command("restore", source=tmp_path / "nothing-here")

    name = _fresh_database_name(tmp_path)
    media = tmp_path / "restored-media"
    try:
        result = restore(
            source=folder,
            database=name,
            media_root=media,
            create_database=connection.vendor != "sqlite",
        )
        assert result["rows"] == {}, result["rows"]
        with database_connection(name) as restored, restored.cursor() as cursor:
            cursor.execute(
                "SELECT logo FROM programmes_organisation WHERE slug = %s", [world.client.slug]
            )
            assert cursor.fetchone() == (logo_name,)
            cursor.execute(
                "SELECT COUNT(*) FROM programmes_user WHERE email = %s",
                [world.users["team_member"].email],
            )
            assert cursor.fetchone() == (1,)
            cursor.execute(
                "SELECT COUNT(*) FROM programmes_auditentry WHERE action = %s", ["backup.test"]
            )
            assert cursor.fetchone() == (1,)
        assert (media / logo_name).read_bytes() == logo_bytes

        # Restoring again into the now filled database and folder is refused.
        with pytest.raises(BackupError, match="not empty"):
            restore(source=folder, database=name, media_root=tmp_path / "other-media")
        with pytest.raises(BackupError, match="not empty"):
            restore(source=folder, database=name, media_root=media)
    finally:
        drop_database(name)

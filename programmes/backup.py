"""Backup and restore: the database and the media folder, together, into one folder.

A backup folder holds `database.dump` (PostgreSQL, `pg_dump` custom format) or
`database.sqlite3` (SQLite, the online backup API: consistent while the site runs), `media.tar.gz`
(every uploaded and generated file) and `manifest.json` (when, which database engine, and the
number of rows of every table, so a restore can be checked). Restoring goes into a fresh
database (`pg_restore` into a new, empty one; for SQLite a new file) and an empty media folder,
then counts the rows again and compares them with the manifest.

Used by `manage.py backup --to DIR` and `manage.py restore --from DIR`; the README's production
section describes the procedure (also with Docker Compose, where the tools run in the `db`
container).
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.utils import timezone

DATABASE_DUMP = "database.dump"
DATABASE_SQLITE = "database.sqlite3"
MEDIA_ARCHIVE = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """The backup or restore could not be made; the message says why."""


def _settings(alias: str = "default") -> dict:
    return connections[alias].settings_dict


def _is_sqlite(db: dict) -> bool:
    return db["ENGINE"].endswith("sqlite3")


def _pg_env(db: dict) -> dict:
    """Connection details for the PostgreSQL client tools, through their environment (the
    password never appears on a command line)."""
    env = dict(os.environ)
    for key, name in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(name):
            env[key] = str(db[name])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(args: list[str], *, env: dict) -> None:
    try:
        subprocess.run(args, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{args[0]} is not installed: install the PostgreSQL client") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{args[0]} failed: {error.stderr.strip()[:2000]}") from error


def row_counts(connection=None) -> dict[str, int]:
    """{table: rows} for every table of the installed models (many-to-many tables included),
    counted in SQL on `connection` (default: the site's database), across every tenant."""
    connection = connection or connections["default"]
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def backup(*, to: Path, media_root: Path | None = None) -> dict:
    """Write a backup of the default database and the media folder into the folder `to`
    (created; it must not hold a backup already). Returns the manifest."""
    to = Path(to)
    if (to / MANIFEST).exists():
        raise BackupError(f"{to} already holds a backup")
    to.mkdir(parents=True, exist_ok=True)
    db = _settings()
    if _is_sqlite(db):
        source = sqlite3.connect(db["NAME"])
        target = sqlite3.connect(to / DATABASE_SQLITE)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        database_file = DATABASE_SQLITE
    else:
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={to / DATABASE_DUMP}",
                db["NAME"],
            ],
            env=_pg_env(db),
        )
        database_file = DATABASE_DUMP
    media_root = Path(media_root or settings.MEDIA_ROOT)
    with tarfile.open(to / MEDIA_ARCHIVE, "w:gz") as archive:
        if media_root.is_dir():
            for entry in sorted(media_root.iterdir()):
                archive.add(entry, arcname=entry.name)
    manifest = {
        "created_at": timezone.now().isoformat(),
        "engine": "sqlite" if _is_sqlite(db) else "postgresql",
        "database": database_file,
        "media": MEDIA_ARCHIVE,
        "rows": row_counts(),
    }
    (to / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def read_manifest(source: Path) -> dict:
    try:
        return json.loads((Path(source) / MANIFEST).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"{source} holds no backup ({MANIFEST} is missing)") from error


@contextmanager
def database_connection(name: str):
    """A connection of its own to the database `name` on the site's database server (for
    SQLite: the file `name`), to check a restored copy without switching the site over."""
    settings_dict = {**_settings(), "NAME": name}
    backend = load_backend(settings_dict["ENGINE"])
    connection = backend.DatabaseWrapper(settings_dict, alias=f"restore-check-{uuid.uuid4().hex}")
    try:
        yield connection
    finally:
        connection.close()


def _database_is_empty(db: dict, name: str) -> bool:
    if _is_sqlite(db):
        return not Path(name).exists() or Path(name).stat().st_size == 0
    with database_connection(name) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        return cursor.fetchone()[0] == 0


def restore(
    *,
    source: Path,
    database: str | None = None,
    media_root: Path | None = None,
    create_database: bool = False,
) -> dict:
    """Restore the backup in `source` into the database `database` (default: the configured
    one; for SQLite a file path) and the folder `media_root` (default: MEDIA_ROOT). Both must
    be empty: a restore never mixes with existing data. Returns {"rows": differences} where
    differences lists the tables whose row count differs from the manifest (empty: all match).
    """
    source = Path(source)
    manifest = read_manifest(source)
    db = _settings()
    engine = "sqlite" if _is_sqlite(db) else "postgresql"
    if manifest["engine"] != engine:
        raise BackupError(
            f"the backup is of a {manifest['engine']} database, this site uses {engine}"
        )
    name = database or db["NAME"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"the media folder {media_root} is not empty")
    if engine == "postgresql" and create_database:
        _run(["createdb", name], env=_pg_env(db))
    if not _database_is_empty(db, name):
        raise BackupError(f"the database {name} is not empty: restore into a new one")
    if engine == "sqlite":
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / DATABASE_SQLITE, name)
    else:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={name}",
                str(source / DATABASE_DUMP),
            ],
            env=_pg_env(db),
        )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / MEDIA_ARCHIVE, "r:gz") as archive:
        archive.extractall(media_root, filter="data")  # no paths outside the folder
    with database_connection(name) as connection:
        restored = row_counts(connection)
    expected = manifest["rows"]
    differences = {
        label: (expected.get(label), restored.get(label))
        for label in sorted(set(expected) | set(restored))
        if expected.get(label) != restored.get(label)
    }
    return {"rows": differences, "database": name, "media_root": str(media_root)}


def drop_database(name: str) -> None:
    """Remove a PostgreSQL database made by a restore check (for SQLite: the file)."""
    db = _settings()
    if _is_sqlite(db):
        Path(name).unlink(missing_ok=True)
        return
    _run(["dropdb", "--if-exists", name], env=_pg_env(db))

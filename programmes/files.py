"""Uploaded and generated files whose row is gone are removed from storage.

Two parts: services that replace or delete a file remove the old one once their transaction
commits (`file_delete_on_commit`), and a periodic sweep (`orphan_files_sweep`) removes what
nothing references any more: files left by cascades (a programme, an organisation or an account
deleted with everything under it), by a rolled-back transaction after the file was written, or
by a crash. The sweep discovers every `FileField`/`ImageField` of every installed model, so the
base names no app, and it only looks inside the folders those fields upload to, only at files
older than a grace period (a file is written before its row commits).
"""

import logging
from datetime import timedelta
from pathlib import PurePosixPath

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

ORPHAN_GRACE = timedelta(hours=6)


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every (model, file field) of the installed models that stores in the default storage."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.storage is default_storage:
                found.append((model, field))
    return found


def upload_folders() -> set[str]:
    """The top folders files are uploaded to ("documents", "logos", "signals"...): the sweep
    never looks outside them. A callable `upload_to` names no folder and is left alone."""
    folders = set()
    for _model, field in file_fields():
        if isinstance(field.upload_to, str) and field.upload_to.strip("/"):
            folders.add(PurePosixPath(field.upload_to.strip("/")).parts[0])
    return folders


def referenced_files() -> set[str]:
    """The storage names every row of every model points to. Reads through each model's base
    manager (not tenant-scoped): the caller runs across tenants on purpose."""
    names: set[str] = set()
    for model, field in file_fields():
        names.update(
            model._base_manager.exclude(**{field.name: ""})
            .exclude(**{f"{field.name}__isnull": True})
            .values_list(field.name, flat=True)
            .iterator()
        )
    return names


def file_delete(name: str) -> bool:
    """Remove one stored file unless a row still references it; True when it was removed."""
    if not name or any(
        model._base_manager.filter(**{field.name: name}).exists() for model, field in file_fields()
    ):
        return False
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not remove %s from storage", name, exc_info=True)
        return False
    return True


def file_delete_on_commit(name: str) -> None:
    """Remove a file once the current transaction commits (never when it rolls back: the row
    that points to it is then still there)."""
    if name:
        transaction.on_commit(lambda: file_delete(name))


def _walk(folder: str):
    try:
        dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in dirs:
        yield from _walk(f"{folder}/{sub}")


def orphan_files_sweep(*, grace: timedelta = ORPHAN_GRACE, now=None) -> int:
    """Remove files in the upload folders that no row references and that are older than
    `grace`; returns how many were removed."""
    now = now or timezone.now()
    referenced = referenced_files()
    removed = 0
    for folder in sorted(upload_folders()):
        for name in _walk(folder):
            if name in referenced:
                continue
            try:
                if default_storage.get_modified_time(name) > now - grace:
                    continue
                default_storage.delete(name)
            except OSError:
                logger.warning("could not sweep %s", name, exc_info=True)
                continue
            removed += 1
    if removed:
        logger.info("removed %s orphan file(s) from storage", removed)
    return removed

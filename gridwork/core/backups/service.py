"""Backup, verify and restore, with the manifest that ties them together.

manifest.json: the database vendor and file with its SHA-256, the row count and checksum of every
table, and the size and checksum of every media file. `verify_backup` checks a backup folder
alone (files against the manifest; a SQLite copy also table by table); `restore` refuses a
database that holds data unless forced, restores, and verifies the live database and media folder
against the manifest.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from gridwork.core.backups import engines
from gridwork.core.backups.checksums import compare, file_sha256, folder_checksums

MANIFEST = "manifest.json"
MEDIA = "media"
FORMAT = 1


@dataclass
class Result:
    tables: int = 0
    rows: int = 0
    media_files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        counted = f"{self.tables} tables, {self.rows} rows, {self.media_files} media files"
        if self.ok:
            return f"Verified: {counted} match the manifest."
        return f"NOT verified ({counted} in the manifest):\n" + "\n".join(f"  {p}" for p in self.problems)


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def backup(folder: Path) -> Result:
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise CommandError(f"{folder} is not empty; back up into a new folder.")
    name, copy_database, _restore = engines.engine()
    tables = copy_database(folder / name)
    media_root = _media_root()
    if media_root.is_dir():
        shutil.copytree(media_root, folder / MEDIA)
    media = folder_checksums(folder / MEDIA)
    manifest = {
        "format": FORMAT,
        "created": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "database": {"file": name, "sha256": file_sha256(folder / name)},
        "tables": tables,
        "media": media,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return _counted(manifest, [])


def _counted(manifest: dict[str, Any], problems: list[str]) -> Result:
    return Result(
        tables=len(manifest["tables"]),
        rows=sum(t["rows"] for t in manifest["tables"].values()),
        media_files=len(manifest["media"]),
        problems=problems,
    )


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"{folder} holds no readable {MANIFEST}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise CommandError(f"{MANIFEST}: unknown format {manifest.get('format')!r}")
    return manifest


def verify_backup(folder: Path) -> Result:
    manifest = read_manifest(folder)
    problems: list[str] = []
    database = folder / manifest["database"]["file"]
    if not database.is_file():
        problems.append(f"database file {database.name}: missing")
    elif file_sha256(database) != manifest["database"]["sha256"]:
        problems.append(f"database file {database.name}: checksum differs from the manifest")
    elif manifest["vendor"] == "sqlite":
        problems += compare(manifest["tables"], engines.sqlite_file_checksums(database), "table")
    else:
        try:
            engines.postgres_check_archive(database)
        except CommandError as exc:
            problems.append(f"database file {database.name}: {exc}")
    problems += compare(manifest["media"], folder_checksums(folder / MEDIA), "media file")
    return _counted(manifest, problems)


def holds_data() -> bool:
    """Whether the database holds anything a person entered: an account or an area. A freshly
    migrated database holds only what the migrations put there (key groups, categories)."""
    tables = set(connection.introspection.table_names())
    for model in (get_user_model(), apps.get_model("areas", "Area")):
        if model._meta.db_table in tables and model._default_manager.exists():
            return True
    return False


def _replace_media(source: Path) -> None:
    root = _media_root()
    if root.exists():
        shutil.rmtree(root)
    if source.is_dir():
        shutil.copytree(source, root)
    else:
        root.mkdir(parents=True)


def restore(folder: Path, *, force: bool = False) -> Result:
    manifest = read_manifest(folder)
    if manifest["vendor"] != connection.vendor:
        raise CommandError(
            f"The backup is of {manifest['vendor']}; this Gridwork runs on {connection.vendor}."
        )
    checked = verify_backup(folder)
    if not checked.ok:
        raise CommandError("The backup does not match its manifest; nothing restored.\n" + checked.summary())
    if holds_data() and not force:
        raise CommandError("The database holds data (accounts or areas); restore over it only with --force.")
    _name, _backup, restore_database = engines.engine()
    restore_database(folder / manifest["database"]["file"])
    _replace_media(folder / MEDIA)
    problems = compare(manifest["tables"], engines.live_checksums(), "table")
    problems += compare(manifest["media"], folder_checksums(_media_root()), "media file")
    return _counted(manifest, problems)

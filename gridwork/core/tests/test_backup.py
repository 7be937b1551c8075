"""`gridwork backup` and `gridwork restore`: backup, wipe, restore, nothing lost (rows and photos),
on SQLite and on PostgreSQL; a tampered backup fails verify and is not restored."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gridwork.cases.models import Case, CasePhoto
from gridwork.cases.tests.helpers import JPEG, report
from gridwork.conftest import GRID_A1, build_district
from gridwork.core.backups import engines
from gridwork.core.models import AuditEvent
from gridwork.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

needs_pg_dump = pytest.mark.skipif(
    connection.vendor == "postgresql" and shutil.which("pg_dump") is None,
    reason="pg_dump/pg_restore are not on the PATH",
)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def wipe() -> None:
    # As after a lost disk: an empty database of the current schema, and no media folder.
    call_command("flush", interactive=False, verbosity=0)


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def facts(media: Path) -> dict[str, Any]:
    return {
        "people": sorted(Person.objects.values_list("id_number", "name", "grid_id")),
        "cases": sorted(Case.objects.values_list("tracking_code", "title")),
        "audit": AuditEvent.objects.count(),
        "photos": {p.relative_to(media).as_posix(): p.read_bytes() for p in media.rglob("*") if p.is_file()},
    }


@needs_pg_dump
def test_backup_wipe_restore_loses_nothing(media: Path, tmp_path: Path) -> None:
    district = build_district()
    report(district, photos=[SimpleUploadedFile("a.jpg", JPEG)])
    assert CasePhoto.objects.count() == 1
    before = facts(media)
    assert before["photos"] and before["people"]
    folder = tmp_path / "backup"

    assert "media files" in run("backup", str(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"]["registry_person"]["rows"] == len(before["people"])
    assert len(manifest["media"]) == 1
    assert "Verified" in run("backup", "--verify", str(folder))

    # A database with data is not restored over without --force.
    with pytest.raises(CommandError, match="--force"):
        run("restore", str(folder))
    wipe()
    shutil.rmtree(media)
    assert Person.objects.count() == 0
    out = run("restore", str(folder))
    assert "Verified" in out
    assert facts(media) == before
    assert Person.objects.filter(grid_id=GRID_A1).exists()

    # Restoring over the restored database, forced, verifies again.
    assert "Verified" in run("restore", "--force", str(folder))


@needs_pg_dump
def test_a_tampered_backup_fails_verify_and_is_not_restored(media: Path, tmp_path: Path) -> None:
    district = build_district()
    report(district, photos=[SimpleUploadedFile("a.jpg", JPEG)])
    folder = tmp_path / "backup"
    run("backup", str(folder))
    photo = next(p for p in (folder / "media").rglob("*") if p.is_file())
    photo.write_bytes(photo.read_bytes() + b"x")
    with pytest.raises(CommandError, match="media file"):
        run("backup", "--verify", str(folder))
    wipe()
    with pytest.raises(CommandError, match="does not match"):
        run("restore", str(folder))
    assert Person.objects.count() == 0


@needs_pg_dump
def test_a_changed_database_file_fails_verify(media: Path, tmp_path: Path) -> None:
    build_district()
    folder = tmp_path / "backup"
    run("backup", str(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    database = folder / manifest["database"]["file"]
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="checksum differs"):
        run("backup", "--verify", str(folder))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the table check of a SQLite copy")
def test_verify_compares_a_sqlite_copy_table_by_table(media: Path, tmp_path: Path) -> None:
    build_district()
    folder = tmp_path / "backup"
    run("backup", str(folder))
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["registry_person"]["rows"] += 1
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="table registry_person"):
        run("backup", "--verify", str(folder))


def test_a_missing_pg_dump_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match="pg_dump was not found on the PATH"):
        engines._tool("pg_dump")


def test_backup_refuses_a_folder_with_files(tmp_path: Path, media: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        run("backup", str(tmp_path))

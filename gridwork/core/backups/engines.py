"""Copying the database out and back: SQLite by its online backup API, PostgreSQL by pg_dump and
pg_restore (custom format), both while Gridwork keeps running for the backup."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import connection, transaction

from gridwork.core.backups.checksums import table_checksums

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"


def _sqlite_raw() -> sqlite3.Connection:
    connection.ensure_connection()
    return connection.connection


def sqlite_backup(target: Path) -> dict[str, dict[str, Any]]:
    """A consistent copy while others read and write (the backup API restarts on a change made by
    another connection); the checksums are taken from the copy, so they describe exactly it."""
    destination = sqlite3.connect(target)
    try:
        _sqlite_raw().backup(destination)
        # One self-contained file: no -wal beside it, whatever the live database's journal mode.
        destination.execute("PRAGMA journal_mode=DELETE")
        return table_checksums(destination.cursor(), "sqlite")
    finally:
        destination.close()


def sqlite_file_checksums(path: Path) -> dict[str, dict[str, Any]]:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return table_checksums(source.cursor(), "sqlite")
    finally:
        source.close()


def sqlite_restore(source_path: Path) -> None:
    """The backup's pages written over the live database, through the same API."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        source.backup(_sqlite_raw())
    finally:
        source.close()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            f"{name} was not found on the PATH; install the PostgreSQL client programs "
            f"(of the server's version or newer) to back up or restore a PostgreSQL database."
        )
    return path


def _pg_environment() -> dict[str, str]:
    """The connection of Django's default database, passed to the tools as PG* variables (never on
    the command line, where other users of the machine could read the password)."""
    params = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if params.get(key):
            env[variable] = str(params[key])
    return env


def _run(command: list[str]) -> None:
    result = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def postgres_backup(target: Path) -> dict[str, dict[str, Any]]:
    """pg_dump of a snapshot that this connection holds open, and the checksums read in the same
    snapshot: the manifest describes exactly the dump, however many writes run meanwhile."""
    pg_dump = _tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
        return table_checksums(cursor, "postgresql")


def postgres_check_archive(path: Path) -> None:
    """pg_restore reads the archive's table of contents: a truncated or foreign file fails here."""
    _run([_tool("pg_restore"), "--list", str(path)])


def postgres_restore(source_path: Path) -> None:
    connection.close()  # no session of ours holds a lock on a table pg_restore drops
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={_pg_environment()['PGDATABASE']}",
            str(source_path),
        ]
    )


def live_checksums() -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        return table_checksums(cursor, connection.vendor)


Engine = tuple[str, Callable[[Path], dict[str, dict[str, Any]]], Callable[[Path], None]]


def engine() -> Engine:
    """(file name, backup, restore) for the default database's vendor."""
    if connection.vendor == "sqlite":
        return SQLITE_FILE, sqlite_backup, sqlite_restore
    if connection.vendor == "postgresql":
        return POSTGRES_FILE, postgres_backup, postgres_restore
    raise CommandError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")

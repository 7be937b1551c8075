"""Row counts and SHA-256 checksums per table, and checksums of files.

Each row is read as one text made by the database itself (SQLite `quote()` of every column,
PostgreSQL the row cast to text), so the checksum does not depend on the client's type
conversions: a backup file opened with plain sqlite3 and the live database opened by Django give
the same text for the same row. Rows are read in primary-key order.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

BUFFER = 1 << 20


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def _sqlite_row_query(cursor: Any, table: str) -> str:
    cursor.execute(f"PRAGMA table_info({_quote(table)})")
    info = cursor.fetchall()  # cid, name, type, notnull, default, pk
    columns = [row[1] for row in info]
    keys = [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]
    text = " || ',' || ".join(f"quote({_quote(c)})" for c in columns) or "''"
    order = ", ".join(_quote(k) for k in keys) or "rowid"
    return f"SELECT {text} FROM {_quote(table)} ORDER BY {order}"  # noqa: S608 (names from the catalogue)


def _postgres_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _postgres_row_query(cursor: Any, table: str) -> str:
    cursor.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
        [_quote(table)],
    )
    keys = [row[0] for row in cursor.fetchall()]
    # Without a key the rows are sorted by their text (in Python, so the order is the same everywhere).
    order = f" ORDER BY {', '.join(_quote(k) for k in keys)}" if keys else ""
    return f"SELECT {_quote(table)}::text FROM {_quote(table)}{order}"  # noqa: S608


def table_checksums(cursor: Any, vendor: str) -> dict[str, dict[str, Any]]:
    """{table: {"rows": n, "sha256": hex}} for every table of the database."""
    if vendor == "sqlite":
        tables, row_query = _sqlite_tables(cursor), _sqlite_row_query
    elif vendor == "postgresql":
        tables, row_query = _postgres_tables(cursor), _postgres_row_query
    else:
        raise ValueError(f"backups support SQLite and PostgreSQL, not {vendor}")
    result: dict[str, dict[str, Any]] = {}
    for table in tables:
        query = row_query(cursor, table)
        cursor.execute(query)
        digest, rows = hashlib.sha256(), 0
        texts = (row[0] for row in iter(cursor.fetchone, None))
        if "ORDER BY" not in query:
            texts = iter(sorted(texts))
        for text in texts:
            digest.update(str(text).encode())
            digest.update(b"\n")
            rows += 1
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BUFFER), b""):
            digest.update(block)
    return digest.hexdigest()


def folder_checksums(root: Path) -> dict[str, dict[str, Any]]:
    """{relative path: {"bytes": n, "sha256": hex}} of every file under `root` (none if it is missing)."""
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): {"bytes": path.stat().st_size, "sha256": file_sha256(path)}
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def compare(expected: dict[str, dict[str, Any]], found: dict[str, dict[str, Any]], what: str) -> list[str]:
    """What differs between two checksum maps, one line each."""
    problems = [f"{what} {name}: missing" for name in sorted(set(expected) - set(found))]
    problems += [f"{what} {name}: not in the backup" for name in sorted(set(found) - set(expected))]
    for name in sorted(set(expected) & set(found)):
        if expected[name] != found[name]:
            problems.append(f"{what} {name}: expected {expected[name]}, found {found[name]}")
    return problems

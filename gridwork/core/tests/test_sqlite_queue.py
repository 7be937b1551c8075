"""The SQLite backend's queue of write transactions: a transaction holds the file lock from BEGIN
to commit or rollback, and the next writer gets it the moment it is released."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from gridwork.core.sqlite_queue.base import DatabaseWrapper


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker: Any) -> Any:
    # These tests open their own connections to their own files, not the test database.
    with django_db_blocker.unblock():
        yield


def wrapper(path: Path) -> DatabaseWrapper:
    settings = {**connections["default"].settings_dict}
    settings.update(
        ENGINE="gridwork.core.sqlite_queue",
        NAME=str(path),
        OPTIONS={"transaction_mode": "IMMEDIATE", "timeout": 5},
    )
    return DatabaseWrapper(settings, alias="queue_test")


def queue_taken(path: Path) -> bool:
    """Whether another writer holds the queue (tried without waiting, from a file of our own)."""
    fd = os.open(f"{path}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock taken here
    return False


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_a_transaction_holds_the_queue_until_it_ends(tmp_path: Path, ending: str) -> None:
    path = tmp_path / "queue.sqlite3"
    connection = wrapper(path)
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x INTEGER)")
        assert not queue_taken(path)
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        assert queue_taken(path)
        getattr(connection, ending)()
        connection.set_autocommit(True)
        assert not queue_taken(path)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM t")
            assert cursor.fetchone()[0] == (1 if ending == "commit" else 0)
    finally:
        connection.close()
    assert not queue_taken(path)


def test_an_in_memory_database_has_no_queue(tmp_path: Path) -> None:
    connection = wrapper(Path(":memory:"))
    try:
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        assert connection._queue_fd is None
        connection.rollback()
    finally:
        connection.close()

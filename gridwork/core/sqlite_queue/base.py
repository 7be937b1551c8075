"""Django's SQLite backend, with the processes' write transactions queued on an operating-system lock.

SQLite has one write lock per database. A transaction that finds it taken waits in SQLite's busy
handler, which sleeps (1, 2, 5, 10, 15, 20, 25 … ms) and tries again: the lock is often free long
before the sleeper wakes, and two server processes writing at once spend their time asleep (the
tail latency of case reports, figure 4 of the benchmark). Here each transaction first takes an
exclusive `flock` on a file beside the database, which the kernel hands to the next waiter the
moment it is released; then it takes SQLite's lock (BEGIN IMMEDIATE, uncontended by Gridwork's own
transactions). The file lock is released when the transaction commits or rolls back, or when the
connection closes. Statements outside a transaction still meet SQLite's busy handler as before.

In-memory databases (the tests') have no file to lock beside and behave as the stock backend.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue_fd: int | None = None
        self._queue_held = False

    def _queue_file(self) -> int | None:
        if self.is_in_memory_db():
            return None
        if self._queue_fd is None:
            path = f"{self.settings_dict['NAME']}-writers.lock"
            self._queue_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._queue_fd

    def _take_queue(self) -> None:
        fd = self._queue_file()
        if fd is not None and not self._queue_held:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._queue_held = True

    def _leave_queue(self) -> None:
        if self._queue_held and self._queue_fd is not None:
            self._queue_held = False
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._take_queue()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._leave_queue()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._leave_queue()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._leave_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None

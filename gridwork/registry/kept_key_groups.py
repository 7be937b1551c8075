"""The key groups, kept per process.

Key groups are reference data: migrations write them (before the processes start), and no page,
API endpoint or service edits them. Every home and area page lists them, so each process reads
them once; a save or delete in this process (a test, a future edit screen) clears the copy at
once through the model's signals. A screen that edits key groups while other processes run
would need to tell those processes too (say, a version on a row they read anyway).
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save

from gridwork.core import rawsql
from gridwork.registry.models import KeyGroup

_lock = threading.Lock()
_kept: list[KeyGroup] | None = None


def key_groups() -> list[KeyGroup]:
    """All key groups in their order (sort order, then code); treat them as read-only."""
    global _kept
    kept = _kept
    if kept is None:
        kept = rawsql.instances(KeyGroup, "1 = 1", order_by="sort_order, code")
        if _may_keep():
            with _lock:
                _kept = kept
    return kept


def _may_keep() -> bool:
    # What a transaction reads may still be rolled back: kept only from outside one.
    return not connection.in_atomic_block


def forget(**_: Any) -> None:
    global _kept
    with _lock:
        _kept = None


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(forget, sender=KeyGroup, dispatch_uid=f"kept_key_groups.forget.{signal}")

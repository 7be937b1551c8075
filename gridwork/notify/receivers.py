"""The receivers of case events: every timeline entry goes to the notify service.

With a worker (the database task backend), the entry's task is queued in the very transaction that
writes the entry, so it commits or rolls back with the case (an outbox) and the request does not
wait on finding recipients and writing their inbox entries: the worker does that moments later,
and only ever for a committed entry. With the inline task backend (tests) the work runs after the
commit, handed the entry as committed.
"""

from __future__ import annotations

import logging
from typing import Any

from gridwork.notify import tasks

log = logging.getLogger("gridwork.notify")


def _deferred() -> bool:
    return tasks.backend_defers(tasks.record_case_event)


def queue_case_event(sender: Any, *, case_id: int, event_id: int, **kwargs: Any) -> None:
    if _deferred():
        # No try: a failure to queue fails the transaction, rather than losing the notifications.
        tasks.record_case_event.enqueue(case_id, event_id)


def on_case_event(sender: Any, *, case_id: int, event_id: int, event: Any = None, **kwargs: Any) -> None:
    if _deferred():
        return  # queued with the entry itself (queue_case_event)
    # The case has committed already: a failure here must not turn the caller's success into an
    # error, so it is logged (with the traceback) and the case action stands.
    try:
        tasks.record_and_send(case_id, event_id, event=event)
    except Exception:
        log.exception("notifications for case %s event %s failed", case_id, event_id)

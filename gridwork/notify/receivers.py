"""The receiver of case events: every timeline entry, after its commit, goes to the notify service.

In the background (a task), so that the request that changed the case does not wait on finding
recipients and writing their inbox entries: the worker does that moments later. With the inline
task backend (tests), it runs at once, and is handed the entry as committed.
"""

from __future__ import annotations

import logging
from typing import Any

from gridwork.notify import services, tasks

log = logging.getLogger("gridwork.notify")


def on_case_event(sender: Any, *, case_id: int, event_id: int, event: Any = None, **kwargs: Any) -> None:
    # The case has committed already: a failure here must not turn the caller's success into an
    # error, so it is logged (with the traceback) and the case action stands.
    try:
        if tasks.backend_defers(tasks.record_case_event):
            tasks.record_case_event.enqueue(case_id, event_id)
        else:
            services.record_case_event(case_id, event_id, event=event)
    except Exception:
        log.exception("notifications for case %s event %s failed", case_id, event_id)

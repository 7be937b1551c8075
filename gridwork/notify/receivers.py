"""The receiver of case events: every timeline entry, after its commit, goes to the notify service."""

from __future__ import annotations

import logging
from typing import Any

from gridwork.notify import services

log = logging.getLogger("gridwork.notify")


def on_case_event(sender: Any, *, case_id: int, event_id: int, **kwargs: Any) -> None:
    # The case has committed already: a failure here must not turn the caller's success into an
    # error, so it is logged (with the traceback) and the case action stands.
    try:
        services.record_case_event(case_id, event_id)
    except Exception:
        log.exception("notifications for case %s event %s failed", case_id, event_id)

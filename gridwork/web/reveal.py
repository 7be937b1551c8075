"""Reveal grants kept in the user's session.

After an audited reveal (gridwork.registry.services.reveal_person) a person's full ID number,
phone and sensitive tags stay visible to that session for settings.REVEAL_MINUTES, then mask
again. Only the person's pk and an expiry time are stored, never the values themselves.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "gridwork_reveals"


def _live(request: HttpRequest) -> dict[str, float]:
    """The grants still running; expired ones are dropped so the session does not grow."""
    now = timezone.now().timestamp()
    stored = request.session.get(SESSION_KEY) or {}
    return {pk: until for pk, until in stored.items() if isinstance(until, int | float) and until > now}


def grant(request: HttpRequest, pk: int) -> dt.datetime:
    until = timezone.now() + dt.timedelta(minutes=settings.REVEAL_MINUTES)
    grants = _live(request)
    grants[str(pk)] = until.timestamp()
    request.session[SESSION_KEY] = grants
    return until


def revealed_until(request: HttpRequest, pk: int) -> dt.datetime | None:
    until = _live(request).get(str(pk))
    if until is None:
        return None
    return dt.datetime.fromtimestamp(until, tz=dt.UTC)

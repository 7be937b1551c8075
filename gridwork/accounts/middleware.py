"""The idle timeout without a session write per request.

Django renews a session's expiry only when it saves the session; saving it on every request
(SESSION_SAVE_EVERY_REQUEST) turns every page view into a write. Here a signed-in session is
marked changed only when the last renewal is more than REFRESH_SECONDS old, so the idle timeout
is kept to within that much and most requests write nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

REFRESH_SECONDS = 60
SEEN_KEY = "_gw_seen"


class SessionRenewalMiddleware:
    """Renews a signed-in session at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:  # signed in; an anonymous visitor gets no session made here
            now = int(time.time())
            seen = session.get(SEEN_KEY)
            if not isinstance(seen, int) or now - seen >= REFRESH_SECONDS or seen > now:
                session[SEEN_KEY] = now  # a change: the session is saved and its expiry renewed
        return self.get_response(request)

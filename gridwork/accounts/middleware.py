"""Session upkeep on every signed-in request: the idle timeout without a write per request, the
absolute lifetime, and a new session key whenever the user's roles changed.

Django renews a session's expiry only when it saves the session; saving it on every request
(SESSION_SAVE_EVERY_REQUEST) turns every page view into a write. Here a signed-in session is
marked changed only when the last renewal is more than REFRESH_SECONDS old, so the idle timeout
is kept to within that much and most requests write nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse

REFRESH_SECONDS = 60
SEEN_KEY = "_gw_seen"
# When the session was signed in (seconds since the epoch), and the roles version it saw last.
STARTED_KEY = "_gw_started"
ROLES_VERSION_KEY = "_gw_roles_version"


def mark_login(request: HttpRequest, user: Any) -> None:
    """At login (accounts.signals): Django has just given the session a new key; start its clock."""
    session = getattr(request, "session", None)
    if session is not None:
        session[STARTED_KEY] = int(time.time())
        session[ROLES_VERSION_KEY] = user.roles_version


class SessionRenewalMiddleware:
    """Renews a signed-in session at most once a minute; ends it after SESSION_MAX_HOURS; cycles
    its key when the user's roles changed since it last looked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:  # signed in; an anonymous visitor gets no session made here
            now = int(time.time())
            started = session.get(STARTED_KEY)
            if not isinstance(started, int) or started > now:
                session[STARTED_KEY] = started = now  # a session from before the lifetime was kept
            if now - started >= settings.SESSION_MAX_HOURS * 3600:
                # However busy: the page goes on as for a visitor, and asks to sign in again.
                logout(request)
                return self.get_response(request)
            self._follow_roles(request)
            seen = session.get(SEEN_KEY)
            if not isinstance(seen, int) or now - seen >= REFRESH_SECONDS or seen > now:
                session[SEEN_KEY] = now  # a change: the session is saved and its expiry renewed
        return self.get_response(request)

    @staticmethod
    def _follow_roles(request: HttpRequest) -> None:
        user = request.user
        version = getattr(user, "roles_version", None)
        if version is None or not user.is_authenticated:
            return
        if request.session.get(ROLES_VERSION_KEY) != version:
            # A grant or a revoke: what the old key may have been given, the new key is not.
            request.session.cycle_key()
            request.session[ROLES_VERSION_KEY] = version

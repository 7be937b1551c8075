from __future__ import annotations

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from gridwork.core.client_address import client_address
from gridwork.core.request_context import current_ip

# Seconds a client is asked to wait before trying a write again.
BUSY_RETRY_AFTER = 2


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_address(request) or None)
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


def is_busy(exc: BaseException) -> bool:
    """A write that could not get its lock in time: SQLite's one write lock (the busy timeout ran
    out) or a PostgreSQL lock timeout. The transaction was rolled back, so nothing was written."""
    text = str(exc).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "lock timeout" in text)


def busy_response() -> HttpResponse:
    response = HttpResponse(
        _("The database is busy. Nothing was saved; please try again in a moment."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


class BusyDatabaseMiddleware:
    """Answers 503 with Retry-After, instead of a server error, when the database stays locked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_response() if is_busy(exception) else None

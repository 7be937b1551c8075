"""Gridwork's URLs and, under /bench/, the bare references the figures are compared with."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bench.bare_api import api as bare_api
from gridwork.urls import urlpatterns as gridwork_urlpatterns


def fixed_page(size: int) -> bytes:
    """An HTML page of exactly `size` bytes (for sizes above a few dozen)."""
    head, tail = b"<!doctype html><html><body><p>", b"</p></body></html>"
    return head + b"x" * max(0, size - len(head) - len(tail)) + tail


_PAGES: dict[int, bytes] = {}


def bare_page(request: HttpRequest, size: int) -> HttpResponse:
    # A fixed page: no queries, no template; the same middleware as every Gridwork page.
    page = _PAGES.get(size)
    if page is None:
        page = _PAGES[size] = fixed_page(size)
    return HttpResponse(page)


urlpatterns = [
    path("bench/bare/<int:size>/", bare_page),
    path("bench/api/", bare_api.urls),
    *gridwork_urlpatterns,
]

"""Gridwork's URLs and, under /bench/, the bare references the figures are compared with."""

from __future__ import annotations

import gc
import os

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.urls import path

from bench.bare_api import api as bare_api
from gridwork.registry.models import Person
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


# The bare signed-in page: the template engine of the pages, without their context processors.
BARE_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>{{ row.name }}</title></head>'
    "<body><main><h1>{{ row.name }}</h1><dl><dt>id</dt><dd>{{ row.id }}</dd><dt>grid</dt>"
    "<dd>{{ row.grid_id }}</dd><dt>status</dt><dd>{{ row.status }}</dd></dl><p>{{ filler }}</p></main>"
    "</body></html>"
)
_BARE_OVERHEAD: list[int] = []


def bare_view(request: HttpRequest, size: int, pk: int) -> HttpResponse:
    """The reference of the page figures and the mixed workload: a signed-in session (the session
    read and the user's row, through the same middleware as every page), one row read by primary
    key, and a template rendered to about `size` bytes."""
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    row = Person.objects.filter(pk=pk).values("id", "name", "grid_id", "status").first()
    if row is None:
        raise Http404
    if not _BARE_OVERHEAD:
        _BARE_OVERHEAD.append(len(BARE_TEMPLATE.render({"row": row}).encode()))
    filler = "x" * max(0, size - _BARE_OVERHEAD[0])
    return HttpResponse(BARE_TEMPLATE.render({"row": row, "filler": filler}))


def server_info(request: HttpRequest) -> JsonResponse:
    """What a benchmark server runs with (its cache backend, the collector's state): so a table can
    show that its server variants differ as meant."""
    cache = settings.CACHES.get("default", {})
    return JsonResponse(
        {
            "pid": os.getpid(),
            "cache": cache.get("BACKEND", ""),
            "cache_location": str(cache.get("LOCATION", ""))[:60],
            "gc_threshold": gc.get_threshold(),
            "gc_frozen": gc.get_freeze_count(),
        }
    )


urlpatterns = [
    path("bench/server/", server_info),
    path("bench/bare/<int:size>/", bare_page),
    path("bench/bare-view/<int:size>/<int:pk>/", bare_view),
    path("bench/api/", bare_api.urls),
    *gridwork_urlpatterns,
]

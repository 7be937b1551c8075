"""One page size and one way to page a queryset, so every list behaves the same."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest

PAGE_SIZE = 30
_TOTAL = "_gw_page_total"


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int | None = None) -> Page:
    """The requested page, with the total counted in the same query (COUNT(*) OVER ()): one query
    for a list, not a COUNT and then the rows. Like Paginator.get_page(), a number past the end
    gives the last page and garbage the first, so a stale or edited link never errors."""
    size = per_page or PAGE_SIZE
    number = _page_number(request.GET.get("page"))
    counted = queryset.annotate(**{_TOTAL: Window(Count("pk"))})
    rows = list(counted[(number - 1) * size : number * size])
    if rows:
        total = getattr(rows[0], _TOTAL)
    else:
        # Past the end (or nothing at all): count, then read the last page (a rare second read).
        total = queryset.count()
        last = max(1, -(-total // size))
        if number > last:
            number = last
            rows = list(queryset[(number - 1) * size : number * size])
    paginator = Paginator(queryset, size)
    paginator.count = total  # a cached_property: set, so the paginator does not count again
    return Page(rows, number, paginator)

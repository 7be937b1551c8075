"""One page size and one way to page a list, so every list behaves the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 30


def _page_number(raw: str | None) -> int:
    try:
        return max(int(raw or 1), 1)
    except (TypeError, ValueError):
        return 1


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    total: int | None = None,
    per_page: int | None = None,
    count_up_to: int | None = None,
    counted: QuerySet | None = None,
) -> Page:
    """The requested page of `queryset` (ordered). A number past the end gives the last page and
    garbage the first, so a stale or edited link never errors. `total`: the number of rows when it
    is known exactly without counting them (a summary count). `count_up_to`: count no further than
    this (a district's queue holds hundreds of thousands of cases: nobody pages through them, and
    counting them all costs a scan); `page.more` then says the list goes on. `counted`: the same
    rows, written as they are counted fastest."""
    paginator = Paginator(queryset, per_page or PAGE_SIZE)
    more = False
    if total is not None:
        paginator.count = total  # a cached_property: set, so the paginator does not count
    elif count_up_to is not None:
        # Unordered: with its ORDER BY the database would sort every row before stopping.
        found = (counted if counted is not None else queryset).order_by()[: count_up_to + 1].count()
        more = found > count_up_to
        paginator.count = min(found, count_up_to)
    page = paginator.get_page(_page_number(request.GET.get("page")))
    page.object_list = list(page.object_list)
    page.more = more
    return page


def paginate_by_key(
    request: HttpRequest,
    queryset: QuerySet,
    rows: Callable[[QuerySet], QuerySet],
    *,
    count_up_to: int | None = None,
    counted: QuerySet | None = None,
) -> Page:
    """As `paginate`, for a list whose rows join other tables: the page's keys are picked from the
    list's own table (its filters and order, no join, so the planner reads the list's index), then
    `rows(records with those keys)` reads the page in full (a values() with the joins, with "id")."""
    keys = queryset.values_list("pk", flat=True)
    page = paginate(request, keys, count_up_to=count_up_to, counted=counted)
    keys = page.object_list
    found: dict[Any, dict[str, Any]] = {
        row["id"]: row for row in rows(queryset.model._default_manager.filter(pk__in=keys))
    }
    page.object_list = [found[key] for key in keys if key in found]
    return page

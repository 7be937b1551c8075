"""One page size and one way to page a list, so every list behaves the same."""

from __future__ import annotations

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
) -> Page:
    """The requested page of `queryset` (ordered). A number past the end gives the last page and
    garbage the first, so a stale or edited link never errors. `total`: the number of rows when it
    is known exactly without counting them (a summary count). `count_up_to`: count no further than
    this (a district's queue holds hundreds of thousands of cases: nobody pages through them, and
    counting them all costs a scan); `page.more` then says the list goes on."""
    paginator = Paginator(queryset, per_page or PAGE_SIZE)
    more = False
    if total is not None:
        paginator.count = total  # a cached_property: set, so the paginator does not count
    elif count_up_to is not None:
        counted = queryset[: count_up_to + 1].count()
        more = counted > count_up_to
        paginator.count = min(counted, count_up_to)
    page = paginator.get_page(_page_number(request.GET.get("page")))
    page.object_list = list(page.object_list)
    page.more = more
    return page

"""One page size and one way to page a queryset, so every list behaves the same."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Expression, F, Func, IntegerField, QuerySet, Subquery, Window
from django.http import HttpRequest

from gridwork.core import prepared

PAGE_SIZE = 30
_TOTAL = "_gw_page_total"


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def paginate(
    request: HttpRequest, queryset: QuerySet, per_page: int | None = None, *, by_key: bool = False
) -> Page:
    """The requested page, with the total counted in the same query: one query for a list, not a
    COUNT and then the rows (a DISTINCT or UNION queryset is counted on its own). Like
    Paginator.get_page(), a number past the end gives the last page and garbage the first, so a
    stale or edited link never errors.

    `by_key` picks the page's keys first (see _counted_page): faster for a long list of wide rows
    (a community's people), slower where counting repeats a costly filter (the case queues)."""
    size = per_page or PAGE_SIZE
    number = _page_number(request.GET.get("page"))
    if queryset.query.distinct or queryset.query.combinator is not None:
        # A window would count the rows before DISTINCT (or one side of a UNION).
        rows = list(queryset[(number - 1) * size : number * size])
        total = queryset.count() if rows else 0
    else:
        rows = list(_counted_page(queryset, (number - 1) * size, size, by_key=by_key))
        total = getattr(rows[0], _TOTAL) if rows else 0
    if not rows:
        # Past the end (or nothing at all): count, then read the last page (a rare second read).
        number, total, rows = _last_page(queryset, number, size, rows)
    paginator = Paginator(queryset, size)
    paginator.count = total  # a cached_property: set, so the paginator does not count again
    return Page(rows, number, paginator)


Columns = Callable[[QuerySet], QuerySet]


def paginate_rows(
    request: HttpRequest,
    key: Hashable | None,
    build: Callable[[], QuerySet],
    columns: Columns,
    *,
    by_key: bool = False,
    known_total: Callable[[], Expression] | None = None,
    kept_under: str | None = None,
) -> Page:
    """Like `paginate`, with the page's rows as dicts: `build` gives the filtered, ordered queryset
    and `columns` the values() to show of it (applied to the page's rows only, so the count and the
    choice of keys need no joins). The compiled statement is kept for equal inputs
    (core/prepared.py): `key` names everything `build` reads besides the user's roles and the date.
    `known_total`: makes an expression giving the total from a summary kept exact (registry.counts)
    instead of counting the rows, for `by_key` lists. `kept_under`: a token under which the page's
    rows may be kept (prepared.values)."""
    size = PAGE_SIZE
    number = _page_number(request.GET.get("page"))
    offset = (number - 1) * size

    def page_query() -> QuerySet:
        total = known_total() if known_total is not None else None
        return _counted_page(build(), offset, size, by_key=by_key, columns=columns, total=total)

    statement_key = None if key is None else ("page", key, number, size, by_key, known_total is not None)
    rows: list[dict[str, Any]] = prepared.values(
        request.user, statement_key, page_query, kept_under=kept_under
    )
    total = rows[0][_TOTAL] if rows else 0
    if total is None:  # no summary row (a register loaded past the counts): count after all
        total = build().count()
    if not rows and number > 1:
        # Past the end: as in paginate (an empty first page is simply 0).
        number, total, rows = _last_page(build(), number, size, rows, columns)
    paginator = Paginator(rows, size)
    paginator.count = total
    return Page(rows, number, paginator)


def _last_page(
    queryset: QuerySet, number: int, size: int, rows: list[Any], columns: Columns | None = None
) -> tuple[int, int, list[Any]]:
    """For a page that came back empty: the total, and the last page (its number and rows, shaped by
    `columns`) when the number asked for is past it; else the page as asked, empty."""
    total = queryset.count()
    last = max(1, -(-total // size))
    if number <= last:
        return number, total, rows
    shaped = columns(queryset) if columns is not None else queryset
    return last, total, list(shaped[(last - 1) * size : last * size])


def _plain(queryset: QuerySet) -> bool:
    """No grouping: the rows can be picked by primary key and counted with a plain COUNT."""
    query = queryset.query
    aggregated = any(getattr(a, "contains_aggregate", False) for a in query.annotations.values())
    return query.group_by is None and not aggregated


def _counted_page(
    queryset: QuerySet,
    offset: int,
    size: int,
    *,
    by_key: bool,
    columns: Columns | None = None,
    total: Expression | None = None,
) -> QuerySet:
    """The page's rows, each carrying the total (COUNT(*) OVER ()). By key: a window count over the
    whole filtered set makes the database carry every wide row through the sort; instead the
    page's keys are picked from the bare rows and only those are read in full, with the total
    counted in a scalar subquery (run once) of the same statement. `columns` shapes the rows read
    in full (a values() with joins), not the choice of keys nor the count."""
    shape = columns or (lambda rows: rows)
    if not by_key or not _plain(queryset):  # a window over grouped rows counts the groups
        return shape(queryset).annotate(**{_TOTAL: Window(Count("pk"))})[offset : offset + size]
    keys = queryset.values("pk")[offset : offset + size]
    if total is None:
        # COUNT as a plain function, so Django adds no GROUP BY: one row, the number of matching rows.
        counted = queryset.order_by().values_list(
            Func(F("pk"), function="COUNT", output_field=IntegerField())
        )
        total = Subquery(counted)
    return shape(queryset.filter(pk__in=Subquery(keys))).annotate(**{_TOTAL: total})

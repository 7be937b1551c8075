"""One page size and one way to page a queryset, so every list behaves the same."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 30


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int | None = None) -> Page:
    # get_page() answers the last page for a number past the end and the first for garbage,
    # so a stale or edited link never errors.
    return Paginator(queryset, per_page or PAGE_SIZE).get_page(request.GET.get("page"))

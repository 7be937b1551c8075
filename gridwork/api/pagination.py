"""Limit/offset pagination whose page size is capped by settings.API_PAGE_SIZE_MAX."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 50


class CappedLimitOffset(LimitOffsetPagination):
    """`?limit=&offset=`; a limit above the maximum is cut to it rather than refused."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, description="page size, at most API_PAGE_SIZE_MAX")
        offset: int = Field(0, ge=0)

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        # Read per request, so the setting can change without re-importing the routers.
        limit = min(pagination.limit, settings.API_PAGE_SIZE_MAX)
        offset = pagination.offset
        items = list(queryset[offset : offset + limit])
        # A short first page is the whole list: no need for a COUNT query.
        count = len(items) if offset == 0 and len(items) < limit else queryset.count()
        return {"items": items, "count": count}

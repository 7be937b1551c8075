"""What the apps' API routers share: one scoped record or 404, and capped limit/offset paging."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from gridwork.core.bounds import MAX_COUNT, MAX_OFFSET
from gridwork.core.errors import NotFound

DEFAULT_LIMIT = 50


def get_or_404(queryset: QuerySet, **lookup: Any) -> Model:
    """One record of an already scoped queryset; absent and out of scope both raise NotFound."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(queryset.model._meta.verbose_name) from exc


class CappedLimitOffset(LimitOffsetPagination):
    """`?limit=&offset=`; a limit above API_PAGE_SIZE_MAX is cut to it rather than refused."""

    class Input(Schema):
        # Bounded, so a huge number answers 422 rather than overflowing the database's integers.
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_COUNT, description="page size, at most API_PAGE_SIZE_MAX"
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

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

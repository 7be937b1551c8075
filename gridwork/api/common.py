"""Small helpers the routers share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet

from gridwork.core.errors import NotFound


def get_or_404(queryset: QuerySet, **lookup: Any) -> Model:
    """One record of an already scoped queryset; absent and out of scope both raise NotFound."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(queryset.model._meta.verbose_name) from exc

"""The one scoping function: `visible_to(user)` on every queryset of scoped records.

A record carries the code of its grid (or is an area, with its own code), so scoping is a
prefix filter on that code and needs no joins.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def prefix_q(field: str, codes: list[str]) -> models.Q | None:
    if not codes:
        return None
    query = models.Q()
    for code in codes:
        query |= models.Q(**{f"{field}__startswith": code})
    return query


class ScopedQuerySet(models.QuerySet):
    """Subclasses name the code field and the capability that grants reading."""

    scope_field = "grid__code"
    scope_capability = "register.view"

    def visible_to(self, user: Any) -> ScopedQuerySet:
        from gridwork.accounts.access import scope_codes

        query = prefix_q(self.scope_field, scope_codes(user, self.scope_capability))
        return self.filter(query) if query is not None else self.none()

    def in_area(self, code: str) -> ScopedQuerySet:
        return self.filter(**{f"{self.scope_field}__startswith": code})

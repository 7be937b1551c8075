"""The one scoping function: `visible_to(user)` on every queryset of scoped records.

A record's reach is the prefix of its code (core.scoping); a user's reach is the codes of the
areas where their roles grant the queryset's capability (accounts.access.scope_codes).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from gridwork.accounts.access import scope_codes
from gridwork.core.scoping import code_range_q, prefix_q


class ScopedQuerySet(models.QuerySet):
    """Subclasses name the code field and the capability that grants reading."""

    scope_field = "grid__code"
    scope_capability = "register.view"

    def visible_to(self, user: Any) -> ScopedQuerySet:
        query = prefix_q(self.scope_field, scope_codes(user, self.scope_capability))
        return self.filter(query) if query is not None else self.none()

    def in_area(self, code: str) -> ScopedQuerySet:
        # `grid__code` compares the FK column itself (the FK points at the code): no join.
        return self.filter(code_range_q(self.scope_field, code))

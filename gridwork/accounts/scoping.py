"""The one scoping function: `visible_to(user)` on every queryset of scoped records.

A record's reach is the prefix of its code (core.scoping); a user's reach is the codes of the
areas where their roles grant the queryset's capability (accounts.access.scope_codes).

Break the glass: `visible_to(user, opening=pk)` asks for one record on its own (its page, its API
answer). That record is visible also when the user holds an active break-the-glass grant for it
and still holds a role allowed to break the glass. Lists, counts, searches and exports never pass
`opening`, so a grant never widens them, and it never reaches any other record.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from gridwork.accounts.access import REGISTER_BREAK_GLASS, has_capability, scope_codes
from gridwork.accounts.break_glass_models import GlassBreak
from gridwork.core.scoping import code_range_q, prefix_q


class ScopedQuerySet(models.QuerySet):
    """Subclasses name the code field and the capability that grants reading."""

    scope_field = "grid__code"
    scope_capability = "register.view"

    def visible_to(self, user: Any, *, opening: Any = None) -> ScopedQuerySet:
        query = prefix_q(self.scope_field, scope_codes(user, self.scope_capability))
        if opening is None:
            return self.filter(query) if query is not None else self.none()
        try:
            one = self.filter(pk=opening)
        except (TypeError, ValueError):
            return self.none()
        if has_capability(user, REGISTER_BREAK_GLASS):
            grant = models.Q(models.Exists(GlassBreak.objects.opening(user, self.model, opening)))
            query = grant if query is None else query | grant
        return one.filter(query) if query is not None else self.none()

    def in_area(self, code: str) -> ScopedQuerySet:
        # `grid__code` compares the FK column itself (the FK points at the code): no join.
        return self.filter(code_range_q(self.scope_field, code))

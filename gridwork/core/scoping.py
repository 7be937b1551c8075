"""Prefix filters on area codes: the ground of scoping (`accounts.scoping.ScopedQuerySet.visible_to`).

A record carries the code of its grid (or is an area, with its own code), so scoping is a
prefix filter on that code and needs no joins. The prefix filter is written as a range
(`code >= prefix AND code < next`), never as LIKE: SQLite cannot answer `LIKE 'p%' ESCAPE` from
an index, and PostgreSQL cannot either under a non-C collation, so a LIKE scans the whole table.
"""

from __future__ import annotations

from django.db import models

from gridwork.core.validators import AREA_CODE_LENGTHS

LONGEST_CODE = max(AREA_CODE_LENGTHS)


def next_prefix(prefix: str) -> str | None:
    """The smallest digit string above every string starting with `prefix`, or None if none is
    (an all-9 prefix): the prefix with its last digit incremented with carry, 110112009 → 110112010."""
    digits = list(prefix)
    for i in range(len(digits) - 1, -1, -1):
        if digits[i] != "9":
            digits[i] = str(int(digits[i]) + 1)
            return "".join(digits)
        digits[i] = "0"
    return None


def shorter_inside(prefix: str, upper: str | None) -> list[str]:
    """The codes shorter than `prefix` that still fall in [prefix, upper): the beginnings of `upper`
    that are above the prefix. There are some only when the increment carried (a prefix ending in
    9): 49 → 50 takes in "5", which does not start with 49."""
    if upper is None:
        return []
    return [upper[:n] for n in range(1, len(prefix)) if upper[:n] > prefix]


def code_range_q(field: str, prefix: str) -> models.Q:
    """Codes starting with a digit-only `prefix`, as an index-friendly range on `field`.

    For codes of digits at least as long as the prefix, `prefix <= code < next_prefix(prefix)` holds
    exactly the codes that start with it; the few shorter codes inside the range (an area above a
    scope whose code ends in 9) are left out by name.
    """
    if not prefix.isdigit() or not prefix.isascii():
        # Not an area code (say, typed into a filter): keep the exact prefix meaning.
        return models.Q(**{f"{field}__startswith": prefix})
    if len(prefix) == LONGEST_CODE:
        # Nothing lies below a grid: its own code, by equality, which the planner knows to be
        # selective (a range looks to SQLite as wide as a district's).
        return models.Q(**{field: prefix})
    upper = next_prefix(prefix)
    query = models.Q(**{f"{field}__gte": prefix})
    if upper is not None:
        query &= models.Q(**{f"{field}__lt": upper})
    excluded = shorter_inside(prefix, upper)
    return query & ~models.Q(**{f"{field}__in": excluded}) if excluded else query


def prefix_q(field: str, codes: list[str]) -> models.Q | None:
    if not codes:
        return None
    query = models.Q()
    for code in codes:
        query |= code_range_q(field, code)
    return query

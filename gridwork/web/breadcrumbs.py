"""The trail of areas above a page: every name, a link only where the user may go.

Area names are public (the grid atlas shows them to residents), so the names of areas above
the user's scope are read unscoped; their pages stay closed (no link, 404 if typed).
"""

from __future__ import annotations

from typing import Any

from gridwork.areas.models import Area, ancestor_codes


def trail(user: Any, code: str | None, *, include_self: bool = True) -> list[dict[str, Any]]:
    if not code:
        return []
    codes = ancestor_codes(code) + ([code] if include_self else [])
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    open_codes = set(Area.objects.visible_to(user).filter(code__in=codes).values_list("code", flat=True))
    return [{"code": c, "name": names.get(c, c), "link": c in open_codes} for c in codes]

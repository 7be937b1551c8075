"""The trail of areas above a page: every name, a link only where the user may go.

Area names are public (the grid atlas shows them to residents), so the names of areas above
the user's scope are read unscoped; their pages stay closed (no link, 404 if typed). Whether a
link opens is worked out from the user's scope (`can`, the rule `Area.objects.visible_to` applies),
so a trail costs one query, and a page's own area comes in that same query (`area_and_trail`).
"""

from __future__ import annotations

from typing import Any

from gridwork.accounts.access import AREAS_VIEW, can
from gridwork.areas.models import Area, ancestor_codes, level_name
from gridwork.core.errors import NotFound


def _crumbs(user: Any, codes: list[str], names: dict[str, str]) -> list[dict[str, Any]]:
    return [{"code": c, "name": names.get(c, c), "link": can(user, AREAS_VIEW, c)} for c in codes]


def trail(user: Any, code: str | None, *, include_self: bool = True) -> list[dict[str, Any]]:
    if not code:
        return []
    codes = ancestor_codes(code) + ([code] if include_self else [])
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    return _crumbs(user, codes, names)


def area_and_trail(user: Any, code: str, *, include_self: bool = True) -> tuple[Area, list[dict[str, Any]]]:
    """The area the user may see (else NotFound, as for a missing one) and its trail, in one query."""
    codes = [*ancestor_codes(code), code]
    areas = Area.objects.in_bulk(codes, field_name="code")
    area = areas.get(code)
    if area is None or not can(user, AREAS_VIEW, code):
        raise NotFound
    shown = codes if include_self else codes[:-1]
    return area, _crumbs(user, shown, {c: a.name for c, a in areas.items()})


def area_trail_and_children(user: Any, code: str) -> tuple[Area, list[dict[str, Any]], list[dict[str, Any]]]:
    """As area_and_trail (the trail without the area itself), and the child areas the user may see
    as a list shows them (code, name, level name), in code order."""
    area, trail = area_and_trail(user, code, include_self=False)
    children = [
        {"code": child, "name": name, "level_name": level_name(level, bool(rural))}
        for child, name, level, rural in Area.objects.filter(parent=area)
        .order_by("code")
        .values_list("code", "name", "level", "rural")
        # The rule of Area.objects.visible_to, applied to the children read here.
        if can(user, AREAS_VIEW, child)
    ]
    return area, trail, children

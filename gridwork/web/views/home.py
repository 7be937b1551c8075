"""The home page: the user's areas with their counts, or the way to the user's own work."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridwork.accounts.access import (
    ACCOUNTS_MANAGE,
    AREAS_VIEW,
    AUDIT_VIEW,
    REGISTER_BREAK_GLASS,
    REGISTER_VIEW,
    active_assignments,
    can,
    has_capability,
)
from gridwork.accounts.decorators import signed_in
from gridwork.areas.models import Area
from gridwork.registry import stats
from gridwork.web.audit_alerts import glass_grants, unusual_reading


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assignments = active_assignments(user)
    if not assignments:
        return render(request, "web/no_role.html")
    roles_at: dict[str, list[str]] = {}
    for assignment in assignments:
        roles_at.setdefault(assignment.area_id, []).append(assignment.get_role_display())
    # The user's own areas, where their roles let them browse (what Area.objects.visible_to allows).
    codes = sorted(code for code in roles_at if can(user, AREAS_VIEW, code))
    areas = list(Area.objects.filter(code__in=codes))
    # Counts are aggregates of the register, so only for those who may read it there.
    counts = stats.area_counts_many([a.code for a in areas if can(user, REGISTER_VIEW, a.code)])
    cards: list[dict[str, Any]] = [
        {"area": area, "roles": roles_at[area.code], "counts": stats.shown(counts.get(area.code))}
        for area in sorted(areas, key=lambda a: a.code)
    ]
    is_auditor = has_capability(user, AUDIT_VIEW)
    return render(
        request,
        "web/home.html",
        {
            # The auditor's home page: unusual reading and break-the-glass grants in its areas.
            "reading_alerts": unusual_reading(user) if is_auditor else [],
            "glass_grants": list(glass_grants(user)) if is_auditor else [],
            "cards": cards,
            "roles": sorted({a.get_role_display() for a in assignments}),
            "can_browse": has_capability(user, AREAS_VIEW),
            "is_sysadmin": has_capability(user, ACCOUNTS_MANAGE),
            "is_auditor": is_auditor,
            "may_break_glass": has_capability(user, REGISTER_BREAK_GLASS),
        },
    )

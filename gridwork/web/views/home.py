"""The home page: what each role opens first thing in the morning.

A grid worker's: today's work (what waits on them, what is late, what falls due today). A
community's, a street's or the district's staff: what waits on them, and each of their areas at a
glance (the register counts, the case queue by traffic light, what is late, the areas below with
their open and late cases). A department handler's: the cases waiting on the department. An
auditor's: the latest reveals and exports. The panels are read in gridwork.web.home_panels.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

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
from gridwork.accounts.models import Role
from gridwork.areas.models import Area
from gridwork.cases import calendar
from gridwork.cases.access import may_use_cases
from gridwork.registry import stats
from gridwork.web import home_panels
from gridwork.web.audit_alerts import glass_grants, unusual_reading

GRID_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_MEMBER})
AREA_STAFF = frozenset({Role.ACCEPTANCE_CENTRE, Role.STREET_STAFF, Role.DISTRICT_STAFF})


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    user, now = request.user, timezone.now()
    assignments = active_assignments(user)
    if not assignments:
        return render(request, "web/no_role.html")
    roles_at: dict[str, list[str]] = {}
    staff_at: set[str] = set()
    for assignment in assignments:
        roles_at.setdefault(assignment.area_id, []).append(assignment.get_role_display())
        if assignment.role in AREA_STAFF | GRID_ROLES:
            staff_at.add(assignment.area_id)
    held = {a.role for a in assignments}
    # The user's own areas, where their roles let them browse (what Area.objects.visible_to allows).
    codes = sorted(code for code in roles_at if can(user, AREAS_VIEW, code))
    areas = list(Area.objects.filter(code__in=codes))
    # Counts are aggregates of the register, so only for those who may read it there.
    counts = stats.area_counts_many([a.code for a in areas if can(user, REGISTER_VIEW, a.code)])
    uses_cases = may_use_cases(user)
    with calendar.one_read():  # every deadline colour of the page from one read of the calendar
        cards: list[dict[str, Any]] = [
            {
                "area": area,
                "roles": roles_at[area.code],
                "counts": stats.shown(counts.get(area.code)),
                "glance": home_panels.area_glance(user, area, now)
                if uses_cases and area.code in staff_at
                else None,
            }
            for area in sorted(areas, key=lambda a: a.code)
        ]
        # One panel of the user's own work: in person, their areas' staff, or their department.
        work = home_panels.own_work(user, now) if uses_cases else None
    if held & GRID_ROLES:
        work_kind = "today"
    elif Role.DEPARTMENT_HANDLER in held and not held & AREA_STAFF:
        work_kind = "department"
    else:
        work_kind = "area"
    is_auditor = has_capability(user, AUDIT_VIEW)
    return render(
        request,
        "web/home.html",
        {
            # The auditor's home page: unusual reading and break-the-glass grants in its areas.
            "reading_alerts": unusual_reading(user) if is_auditor else [],
            "glass_grants": list(glass_grants(user)) if is_auditor else [],
            "cards": cards,
            "work": work,
            "work_kind": work_kind,
            "audit_latest": home_panels.latest_audit(user) if is_auditor else None,
            "patrols": home_panels.patrol_panel(user, areas, now),
            "visits": home_panels.visits_panel(user),
            "fieldwork_reports": home_panels.fieldwork_reports(user, now),
            "roles": sorted({a.get_role_display() for a in assignments}),
            "can_browse": has_capability(user, AREAS_VIEW),
            "is_sysadmin": has_capability(user, ACCOUNTS_MANAGE),
            "is_auditor": is_auditor,
            "may_break_glass": has_capability(user, REGISTER_BREAK_GLASS),
        },
    )

"""An area's visits to its key people at a glance, for the community, the street and above: who is
overdue (longest first), who falls due this week, and the latest visits with what was found.

The same reads as the worker's plan and the API's lists (`visit_due.due_rows`, `Visit` scoped by
`visible_to`), for a chosen area instead of one's own grids.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from gridwork.accounts.access import FIELDWORK_VISITS_VIEW, can, scope_codes
from gridwork.accounts.decorators import requires
from gridwork.areas.models import Area, Level
from gridwork.core.errors import NotFound
from gridwork.fieldwork.visit_due import due_rows
from gridwork.fieldwork.visit_models import Visit

SHOWN = 100
SOON_DAYS = 7
VISITS_SHOWN = 50


def overview_areas(user: Any, capability: str) -> list[Area]:
    """The communities and streets (and grids, for grid roles) whose overview the user may open."""
    codes = scope_codes(user, capability)
    if not codes:
        return []
    areas = Area.objects.under_any(codes).filter(level__in=[Level.STREET, Level.COMMUNITY]).order_by("code")
    found = list(areas.only("code", "name", "level")[:300])
    return found or list(Area.objects.filter(code__in=codes).order_by("code"))


@requires(FIELDWORK_VISITS_VIEW)
@require_GET
def visits_overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    choices = overview_areas(user, FIELDWORK_VISITS_VIEW)
    code = request.GET.get("area", "").strip()[:15] or (choices[0].code if choices else "")
    area = Area.objects.visible_to(user).filter(code=code).first()
    if area is None or not can(user, FIELDWORK_VISITS_VIEW, area.code):
        raise NotFound(Area._meta.verbose_name)  # as a missing area: nothing told of one out of reach
    today = timezone.localdate()
    rows = due_rows(user, area=area.code, today=today)
    overdue = sorted((r for r in rows if r.overdue), key=lambda r: (-r.overdue_days, r.name))
    soon = [r for r in rows if not r.overdue and r.due_on <= today + dt.timedelta(days=SOON_DAYS)]
    visits = Visit.objects.visible_to(user).in_area(area.code)
    month_ago = timezone.now() - dt.timedelta(days=30)
    return render(
        request,
        "web/fieldwork/visits_overview.html",
        {
            "area": area,
            "choices": choices,
            "key_people": len(rows),
            "overdue": overdue[:SHOWN],
            "overdue_count": len(overdue),
            "soon": soon[:SHOWN],
            "soon_count": len(soon),
            "month_visits": visits.filter(visited_at__gte=month_ago).count(),
            "latest": visits.select_related("person", "worker").order_by("-visited_at", "-id")[:VISITS_SHOWN],
            "soon_days": SOON_DAYS,
        },
    )

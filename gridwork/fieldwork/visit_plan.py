"""Today's plan for a grid worker: the visits due and overdue, and the open cases they hold, as a
walking route from where they are (see visit_route for the rule)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import FIELDWORK_VISITS_RECORD, grid_codes
from gridwork.cases.models import Case
from gridwork.fieldwork.visit_due import due_rows
from gridwork.fieldwork.visit_places import check_point, grid_centre
from gridwork.fieldwork.visit_route import Stop, distance_m, plan_route

PLAN_CASES_MAX = 100


@dataclass
class Plan:
    start: tuple[float, float] | None
    start_from: str  # "here" (the phone's position) or "grid" (the grid's centre)
    stops: list[dict[str, Any]] = field(default_factory=list)
    total_m: float = 0.0
    grids: list[str] = field(default_factory=list)

    @property
    def why(self) -> str:
        return _(
            "Overdue stops first, in the shortest walk found from %(start)s; then what is due "
            "today and the cases you hold, walked on from there. Anything due that lies on the "
            "way (at most 100 m out of your path) is done in passing."
        ) % {"start": _("where you are") if self.start_from == "here" else _("the centre of your grid")}


def worker_grids(user: Any) -> list[str]:
    return grid_codes(user, FIELDWORK_VISITS_RECORD)


def _visit_stops(user: Any, grids: list[str], today: dt.date, centre: dict[str, Any]) -> list[Stop]:
    stops = []
    for grid in grids:
        for row in due_rows(user, area=grid, today=today):
            if row.due_on > today:
                continue
            lon, lat = (row.lon, row.lat) if row.lon is not None else centre[grid] or (None, None)
            if lon is None:
                continue
            if row.never_visited:
                purpose = _("first visit (never visited)")
            elif row.overdue:
                purpose = _("visit, %(n)d days overdue") % {"n": row.overdue_days}
            else:
                purpose = _("visit due today")
            stops.append(
                Stop(
                    key=f"p{row.person_id}",
                    lon=lon,
                    lat=lat,
                    urgent=row.overdue,
                    data={
                        "kind": "visit",
                        "person_id": row.person_id,
                        "household_id": row.household_id,
                        "grid": row.grid,
                        "title": row.name,
                        "address": row.address,
                        "tags": row.tags,
                        "due_on": row.due_on.isoformat(),
                        "overdue_days": row.overdue_days,
                        "purpose": purpose,
                        "placed": row.lon is not None,
                    },
                )
            )
    return stops


def _case_stops(user: Any, now: dt.datetime, centre: dict[str, Any]) -> list[Stop]:
    cases = (
        Case.objects.visible_to(user)
        .open()
        .filter(holder_user_id=user.pk)
        .order_by("step_deadline", "id")
        .values("id", "title", "grid_id", "lon", "lat", "overdue", "step_deadline", "address", "status")[
            :PLAN_CASES_MAX
        ]
    )
    stops = []
    for case in cases:
        late = case["overdue"] or (case["step_deadline"] is not None and case["step_deadline"] < now)
        point = (case["lon"], case["lat"]) if case["lon"] is not None else centre.get(case["grid_id"])
        if point is None:
            point = grid_centre(case["grid_id"])
            centre[case["grid_id"]] = point
        if point is None:
            continue
        stops.append(
            Stop(
                key=f"c{case['id']}",
                lon=point[0],
                lat=point[1],
                urgent=late,
                data={
                    "kind": "case",
                    "case_id": case["id"],
                    "grid": case["grid_id"],
                    "title": case["title"],
                    "address": case["address"],
                    "purpose": _("open case, past its deadline") if late else _("open case you hold"),
                    "placed": case["lon"] is not None,
                },
            )
        )
    return stops


def todays_plan(user: Any, *, lon: Any = None, lat: Any = None, today: dt.date | None = None) -> Plan:
    """The plan from the phone's position if it is a plausible one, else from the grid's centre."""
    now = timezone.now()
    today = today or timezone.localdate()
    grids = worker_grids(user)
    centre = {grid: grid_centre(grid, today) for grid in grids}
    start, start_from = None, "grid"
    if grids and lon not in (None, "") and lat not in (None, ""):
        errors: dict[str, list[str]] = {}
        point = check_point(grids[0], lon, lat, errors)
        if not errors:
            start, start_from = point, "here"
    if start is None:
        start = next((c for c in centre.values() if c is not None), None)
    stops = _visit_stops(user, grids, today, centre) + _case_stops(user, now, centre)
    plan = Plan(start=start, start_from=start_from, grids=grids)
    if start is None or not stops:
        return plan
    here = start
    for number, stop in enumerate(plan_route(start, stops), start=1):
        step = distance_m(here, (stop.lon, stop.lat))
        here = (stop.lon, stop.lat)
        plan.total_m += step
        plan.stops.append(
            {
                **stop.data,
                "order": number,
                "lon": stop.lon,
                "lat": stop.lat,
                "urgent": stop.urgent,
                "in_passing": stop.in_passing,
                "walk_m": round(step),
            }
        )
    return plan

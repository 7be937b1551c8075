"""Daily coverage: for an area and a day, which grids were patrolled, by whom, at what hours, and
which were not. Two reads whatever the number of grids: the grids, then the day's patrols."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from gridwork.accounts.access import FIELDWORK_PATROL_VIEW, can
from gridwork.areas.models import Area, Level
from gridwork.core.errors import NotFound
from gridwork.fieldwork.patrols_models import Patrol


@dataclass
class PatrolLine:
    id: int
    worker: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    length_m: float
    inside_share: float | None
    is_open: bool

    @property
    def hours(self) -> str:
        start = timezone.localtime(self.started_at).strftime("%H:%M")
        end = timezone.localtime(self.ended_at).strftime("%H:%M") if self.ended_at else "…"
        return f"{start}–{end}"


@dataclass
class GridCoverage:
    code: str
    name: str
    community_code: str
    community_name: str
    patrols: list[PatrolLine] = field(default_factory=list)

    @property
    def patrolled(self) -> bool:
        return bool(self.patrols)


@dataclass
class Coverage:
    area: Area
    day: dt.date
    grids: list[GridCoverage]

    @property
    def patrolled(self) -> list[GridCoverage]:
        return [g for g in self.grids if g.patrolled]

    @property
    def not_patrolled(self) -> list[GridCoverage]:
        return [g for g in self.grids if not g.patrolled]


def coverage(user: Any, area_code: str, day: dt.date) -> Coverage:
    """The day's coverage of the area's grids; an area outside the user's reach is NotFound."""
    if (
        not isinstance(area_code, str)
        or not area_code.isdigit()
        or not can(user, FIELDWORK_PATROL_VIEW, area_code)
    ):
        raise NotFound(Area._meta.verbose_name)
    area = Area.objects.filter(code=area_code).first()
    if area is None:
        raise NotFound(Area._meta.verbose_name)
    communities = dict(
        Area.objects.subtree(area.code).filter(level=Level.COMMUNITY).values_list("code", "name")
    )
    if area.level == Level.GRID:
        communities[area.code[:12]] = area.parent.name if area.parent_id else ""
    grids = {
        code: GridCoverage(code, name, code[:12], communities.get(code[:12], ""))
        for code, name in Area.objects.subtree(area.code).grids().order_by("code").values_list("code", "name")
    }
    rows = (
        Patrol.objects.visible_to(user)
        .in_area(area.code)
        .on_day(day)
        .order_by("grid_id", "started_at", "id")
        .values(
            "id",
            "grid_id",
            "started_at",
            "ended_at",
            "length_m",
            "inside_share",
            "status",
            "worker__username",
            "worker__display_name",
        )
    )
    for row in rows:
        grid = grids.get(row["grid_id"])
        if grid is None:
            continue
        grid.patrols.append(
            PatrolLine(
                id=row["id"],
                worker=row["worker__display_name"] or row["worker__username"],
                started_at=row["started_at"],
                ended_at=row["ended_at"],
                length_m=row["length_m"],
                inside_share=row["inside_share"],
                is_open=row["status"] == "open",
            )
        )
    return Coverage(area=area, day=day, grids=list(grids.values()))

"""The demo's year of patrols: most working days for every grid worker, through the services,
tracks that walk the grid's buildings, a few flagged fixes, findings and the cases made of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count, Min
from django.utils import timezone

from gridwork.cases import calendar
from gridwork.cases.models import Case, Source, Status
from gridwork.core.models import AuditEvent
from gridwork.demo.builder import build_demo
from gridwork.demo.fieldwork_patrols import build_patrols
from gridwork.demo.history import load_cast
from gridwork.fieldwork.patrols_models import Patrol, PatrolFinding, PatrolFix, PatrolStatus
from gridwork.registry.models import Building


@pytest.fixture
def patrolled(db: None, settings: Any, tmp_path: Path) -> dict[str, int]:
    settings.VAR_DIR = str(tmp_path)
    build_demo(0.0005, seed=5, history=False)
    return build_patrols(5)


def test_the_year_of_patrols(patrolled: dict[str, int]) -> None:
    """One build for every check: a year of patrols takes a while to make."""
    _most_working_days_of_the_year_for_every_worker(patrolled)
    _tracks_walk_the_grids_buildings_with_metrics(patrolled)
    _findings_some_made_cases_through_the_services(patrolled)


def _most_working_days_of_the_year_for_every_worker(patrolled: dict[str, int]) -> None:
    workers = load_cast().workers
    assert workers and patrolled["patrols_failed"] == 0
    today = timezone.localdate()
    workdays = sum(calendar.is_workday(today - dt.timedelta(days=n)) for n in range(1, 366))
    per_grid = dict(Patrol.objects.values_list("grid_id").annotate(n=Count("pk")))
    for grid, worker in workers.items():
        assert per_grid.get(grid, 0) >= 0.75 * workdays, grid
        assert Patrol.objects.filter(grid_id=grid).exclude(worker=worker).count() == 0
    first = Patrol.objects.aggregate(first=Min("started_at"))["first"]
    assert (timezone.now() - first).days >= 360
    assert Patrol.objects.filter(status=PatrolStatus.OPEN).count() == 0
    assert patrolled["patrols"] == Patrol.objects.count()


def _tracks_walk_the_grids_buildings_with_metrics(patrolled: dict[str, int]) -> None:
    patrol = Patrol.objects.order_by("-started_at").first()
    buildings = list(Building.objects.filter(grid_id=patrol.grid_id).values_list("lon", "lat"))
    kept = list(PatrolFix.objects.filter(patrol=patrol, flag="").values_list("lon", "lat"))
    assert 15 <= len(kept) <= 200
    near = sum(1 for lon, lat in kept if min(abs(lon - b[0]) + abs(lat - b[1]) for b in buildings) < 0.01)
    assert near == len(kept)
    ended = Patrol.objects.filter(status=PatrolStatus.ENDED)
    assert not ended.filter(inside_share__isnull=True).exists()
    assert ended.filter(inside_share__gte=0.9).count() >= 0.9 * ended.count()
    assert ended.filter(length_m__gt=500).count() >= 0.9 * ended.count()
    # A few fixes of poor accuracy or wild jumps, flagged by the services, not by the demo.
    flagged = PatrolFix.objects.exclude(flag="").count()
    assert 0.01 * patrolled["fixes"] <= flagged <= 0.1 * patrolled["fixes"]


def _findings_some_made_cases_through_the_services(patrolled: dict[str, int]) -> None:
    assert PatrolFinding.objects.count() == patrolled["findings"] > 0
    made = Case.objects.filter(patrol_finding__isnull=False)
    assert made.count() == patrolled["patrol_cases"] > 0
    assert not made.exclude(source=Source.PATROL).exists()
    assert made.filter(status=Status.CLOSED).exists()
    assert AuditEvent.objects.filter(object_type="fieldwork.patrol").count() >= 3 * patrolled["patrols"]
    # Each audit entry carries the moment the service ran at (time-machine), not the build's.
    patrol = Patrol.objects.order_by("started_at").first()
    start_entry = AuditEvent.objects.filter(
        object_type="fieldwork.patrol", object_id=str(patrol.pk)
    ).earliest("at")
    assert abs((start_entry.at - patrol.started_at).total_seconds()) < 1

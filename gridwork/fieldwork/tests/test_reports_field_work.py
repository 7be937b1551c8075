"""Patrols, visits and memos count in the worker's day (work log) and the grid's week (report)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from gridwork.conftest import GRID_A1, GRID_A2, GRID_ORIGINS
from gridwork.fieldwork import patrols_services as patrols
from gridwork.fieldwork import reports_services
from gridwork.fieldwork import visit_services as visits
from gridwork.fieldwork.reports_sources import day_figures
from gridwork.fieldwork.tests.reports_helpers import WEEK, at

pytestmark = pytest.mark.django_db

TUESDAY = WEEK + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _walk(worker: Any, start: dt.datetime, *, end: bool = True) -> None:
    """A patrol of about 1.1 km north from the grid's corner, with one thing noted."""
    lon, lat = GRID_ORIGINS[GRID_A1]
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        patrol = patrols.start_patrol(worker, at=start)
        fixes = [
            {
                "at": (start + dt.timedelta(minutes=5 * n)).isoformat(),
                "lon": lon + 0.001,
                "lat": lat + 0.001 * n,
            }
            for n in range(1, 12)
        ]
        patrols.add_fixes(worker, patrol.pk, fixes)
        patrols.add_finding(worker, patrol.pk, note="井盖松动", at=start + dt.timedelta(minutes=20))
        if end:
            patrols.end_patrol(worker, patrol.pk, at=start + dt.timedelta(minutes=58))


def test_the_days_patrols_visits_and_memos_are_counted(district: Any) -> None:
    worker = district.users["worker_a1"]
    person = district.people[GRID_A1]
    _walk(worker, at(TUESDAY, 9))
    _walk(worker, at(TUESDAY, 15), end=False)  # still being walked: its finding counts, it does not
    with time_machine.travel(at(TUESDAY, 18), tick=False):
        visits.record_visit(worker, person_id=person.pk, visited_at=at(TUESDAY, 11), findings="一切正常")
        visits.write_memo(worker, text="楼道堆物", person_id=person.pk, written_at=at(TUESDAY, 12))
    day = day_figures(worker.pk, GRID_A1, at(TUESDAY, 0), at(TUESDAY + dt.timedelta(days=1), 0))
    assert {k: day[k] for k in ("patrols", "patrol_km", "patrol_findings", "visits", "memos")} == {
        "patrols": 1,
        "patrol_km": 1,
        "patrol_findings": 2,
        "visits": 1,
        "memos": 1,
    }
    # Another day of the same worker, and another worker's day, count none of it.
    monday = day_figures(worker.pk, GRID_A1, at(WEEK, 0), at(TUESDAY, 0))
    assert monday["patrols"] == monday["visits"] == monday["memos"] == monday["patrol_findings"] == 0
    other = day_figures(district.users["member_a1"].pk, GRID_A1, at(TUESDAY, 0), at(TUESDAY, 23))
    assert other["patrols"] == other["visits"] == 0

    week = reports_services.assemble(GRID_A1, WEEK)[""]
    assert (week["patrols"], week["patrol_findings"], week["visits"], week["memos"]) == (1, 2, 1, 1)
    assert reports_services.assemble(GRID_A2, WEEK)[""]["visits"] == 0

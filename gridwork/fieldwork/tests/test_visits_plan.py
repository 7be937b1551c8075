"""Today's plan from the database: due visits and the worker's open cases, each saying what it is for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridwork.cases import services as cases
from gridwork.conftest import GRID_A1, GRID_ORIGINS, District
from gridwork.fieldwork import visit_services as services
from gridwork.fieldwork.visit_plan import todays_plan

pytestmark = pytest.mark.django_db

ORIGIN = GRID_ORIGINS[GRID_A1]


def test_the_plan_holds_due_visits_and_the_workers_open_cases(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    # The person's building is at origin + (0.005, 0.005); the case lies off that way, near the start.
    near = {"lon": ORIGIN[0] + 0.0005, "lat": ORIGIN[1] + 0.009}
    case = cases.report_case(worker, category="E0101", title="暴露垃圾", source="patrol", **near)
    member = district.users["member_a1"]
    others = cases.report_case(member, category="E0101", title="别的", source="patrol", **near)
    services.record_visit(worker, person_id=person.pk, visited_at=timezone.now() - dt.timedelta(days=9))
    plan = todays_plan(worker, lon=ORIGIN[0], lat=ORIGIN[1])
    assert plan.start_from == "here"
    kinds = [(s["kind"], s.get("case_id") or s.get("person_id")) for s in plan.stops]
    # The overdue visit (two days past its weekly interval) first, though the case is nearer.
    assert kinds == [("visit", person.pk), ("case", case.pk)]
    assert others.pk not in [s.get("case_id") for s in plan.stops]
    assert plan.stops[0]["urgent"] and plan.stops[0]["overdue_days"] == 2
    assert plan.stops[1]["purpose"] and not plan.stops[1]["urgent"] and not plan.stops[1]["in_passing"]
    assert plan.total_m == pytest.approx(sum(s["walk_m"] for s in plan.stops), abs=2)


def test_a_person_visited_recently_is_not_in_the_plan(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    services.record_visit(worker, person_id=person.pk, visited_at=timezone.now() - dt.timedelta(days=1))
    assert todays_plan(worker).stops == []
    assert todays_plan(district.users["worker_b1"]).stops == []

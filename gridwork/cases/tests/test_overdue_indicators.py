"""The overdue check and the indicators computed from the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gridwork.cases import services
from gridwork.cases.calendar import time_status
from gridwork.cases.indicators import indicators
from gridwork.cases.models import Case, CaseEvent
from gridwork.cases.tests.conftest import URBAN
from gridwork.cases.tests.helpers import do, report
from gridwork.conftest import COMMUNITY_A, GRID_B1, STREET_A


def test_flag_overdue_marks_escalates_once_and_writes_the_timeline(
    cd: Any, django_capture_on_commit_callbacks: Any
) -> None:
    late = report(cd)
    on_time = report(cd, grid=GRID_B1, who="worker_b1")
    assert late.holder_area_id == COMMUNITY_A
    after_deadline = late.step_deadline + dt.timedelta(minutes=1)
    Case.objects.filter(pk=on_time.pk).update(step_deadline=after_deadline + dt.timedelta(days=30))
    assert time_status(late, after_deadline) == "red"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.flag_overdue(after_deadline) == 1
    assert len(callbacks) == 1
    late.refresh_from_db()
    assert late.overdue and late.holder_area_id == STREET_A and late.escalation_level == 1
    event = CaseEvent.objects.get(case=late, action="overdue")
    assert (event.actor_label, event.holder_before, event.holder_after) == (
        "system",
        f"area:{COMMUNITY_A}",
        f"area:{STREET_A}",
    )
    assert services.flag_overdue(after_deadline + dt.timedelta(days=1)) == 0  # once per step
    # The next step starts a fresh clock and clears the flag.
    late = do(cd, "street_a", late, "accept")
    assert not late.overdue and late.status == "accepted" and late.step_deadline is not None


def test_suspended_cases_are_not_flagged(cd: Any) -> None:
    case = do(cd, "centre_a", report(cd), "suspend")
    assert services.flag_overdue(timezone.now() + dt.timedelta(days=60)) == 0
    assert Case.objects.get(pk=case.pk).status == "suspended"


def _close_coordination(cd: Any, rework: bool) -> Case:
    case = report(cd)
    for who, action in (("centre_a", "accept"), ("centre_a", "dispatch"), ("department", "handle")):
        case = do(cd, who, case, action)
    if rework:
        case = do(cd, "worker_a1", case, "verify_fail")
        case = do(cd, "department", case, "handle")
    case = do(cd, "worker_a1", case, "verify_pass")
    return do(cd, "centre_a", case, "feedback")


def test_indicators_per_area_department_and_person(cd: Any) -> None:
    start = timezone.now() - dt.timedelta(hours=1)
    first = _close_coordination(cd, rework=True)
    _close_coordination(cd, rework=False)
    report(cd)  # still open
    report(cd, grid=GRID_B1, who="worker_b1")  # elsewhere
    services.rate_case(None, first.tracking_code, 5)
    end = timezone.now() + dt.timedelta(hours=1)
    street = indicators(start=start, end=end, area_prefix=STREET_A)
    assert street["cases"] == 3 and street["closed"] == 2 and street["closure_rate"] == round(2 / 3, 4)
    assert street["on_time_closed"] == 2 and street["on_time_rate"] == 1.0
    assert street["reworked"] == 1 and street["rework_rate"] == 0.5
    assert street["overdue"] == 0 and street["satisfaction"] == 5 and street["rated"] == 1
    assert street["avg_handling_hours"] is not None and street["avg_handling_hours"] >= 0
    assert indicators(start=start, end=end)["cases"] == 4
    dept = indicators(start=start, end=end, department=URBAN)
    assert dept["cases"] == 2 and dept["closed"] == 2
    person = indicators(start=start, end=end, user_id=cd.users["worker_b1"].pk)
    assert person["cases"] == 1 and person["closed"] == 0 and person["closure_rate"] == 0
    empty = indicators(start=end, end=end + dt.timedelta(days=1))
    assert empty["cases"] == 0 and empty["closure_rate"] is None

"""Categories and calendar days (gridwork.cases.reference), and the cost of a report.

A write the process itself never sees (a queryset update, raw SQL, as another process would do)
counts at the very next use; reporting a case over the API answers what a read of it answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridwork.api.tests.conftest import API, token_client
from gridwork.cases import calendar, reference
from gridwork.cases.models import Case, Category
from gridwork.cases.tests.helpers import report
from gridwork.conftest import GRID_A1, District

pytestmark = pytest.mark.django_db


def test_a_category_changed_behind_the_process_is_seen_at_once(cd: District) -> None:
    assert reference.active_leaf("E0104") is not None
    # A queryset update sends no signal: only the trigger can tell.
    Category.objects.filter(code="E0104").update(limits={"total": {"amount": 3, "unit": "hours"}})
    assert reference.active_leaf("E0104").limits == {"total": {"amount": 3, "unit": "hours"}}
    Category.objects.filter(code="E0104").update(active=False)
    assert reference.active_leaf("E0104") is None
    with pytest.raises(Exception, match="category"):
        report(cd, "worker_a1", category="E0104")


def test_a_new_child_makes_a_leaf_a_branch_at_once() -> None:
    leaf = reference.active_leaf("E0104")
    assert leaf is not None
    Category.objects.create(code="E010401", name_zh="子类", name_en="child", parent=leaf)
    assert reference.active_leaf("E0104") is None
    assert reference.active_leaf("E010401") is not None


def test_a_caller_changing_its_category_changes_nothing_kept() -> None:
    leaf = reference.active_leaf("E0104")
    assert leaf is not None
    leaf.limits["total"] = {"amount": 999, "unit": "days"}
    leaf.department = "elsewhere"
    again = reference.active_leaf("E0104")
    assert again is not None and again.department != "elsewhere"
    assert again.limits.get("total") != {"amount": 999, "unit": "days"}


def test_a_holiday_added_behind_the_process_counts_at_once() -> None:
    friday = dt.datetime(2031, 3, 7, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert calendar.add_working_time(friday, 1, "days").date() == dt.date(2031, 3, 10)
    with connection.cursor() as cursor:  # raw SQL, as another process or a tool would write
        cursor.execute(
            "INSERT INTO cases_workcalendarday (date, is_workday, name) VALUES (%s, %s, %s)",
            [dt.date(2031, 3, 10), False, "test holiday"],
        )
    assert calendar.add_working_time(friday, 1, "days").date() == dt.date(2031, 3, 11)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_workcalendarday WHERE date = %s", [dt.date(2031, 3, 10)])
    assert calendar.add_working_time(friday, 1, "days").date() == dt.date(2031, 3, 10)


def test_reporting_over_the_api_answers_what_a_read_returns(
    cd: District, django_capture_on_commit_callbacks: Any
) -> None:
    client = token_client(cd.users["street_a"])
    building = cd.buildings[GRID_A1]
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(f"{API}/cases", {"category": "E0104", "title": "t", "building_id": building.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["timeline"] and body["step_deadline"] and body["deadline"]
    assert client.get(f"{API}/cases/{body['id']}").json() == body


def test_an_emergency_report_lists_its_alerts_as_a_read_does(
    cd: District, django_capture_on_commit_callbacks: Any
) -> None:
    client = token_client(cd.users["street_a"])
    building = cd.buildings[GRID_A1]
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            f"{API}/cases",
            {"category": "E0104", "title": "t", "building_id": building.pk, "track": "emergency"},
        )
    assert created.status_code == 201, created.content
    body = created.json()
    assert [e["action"] for e in body["timeline"]] == ["report", "alert", "alert"]
    assert client.get(f"{API}/cases/{body['id']}").json() == body


# The statements of one report over the API: a guard against a query per row creeping in.
# Transaction statements are left out (a test sees savepoints).
REPORT_QUERIES = 18


def test_a_report_over_the_api_takes_a_fixed_number_of_queries(
    cd: District, django_capture_on_commit_callbacks: Any
) -> None:
    client = token_client(cd.users["street_a"])
    building = cd.buildings[GRID_A1]
    fields = {"category": "E0104", "title": "t", "building_id": building.pk}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{API}/cases", fields).status_code == 201
    with CaptureQueriesContext(connection) as seen, django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{API}/cases", fields).status_code == 201
    statements = [q["sql"] for q in seen.captured_queries if not _transaction_control(q["sql"])]
    assert len(statements) == REPORT_QUERIES, "\n".join(statements)
    assert Case.objects.filter(building=building).count() == 2


def _transaction_control(sql: str) -> bool:
    return sql.split(" ", 1)[0].upper() in {"SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"}

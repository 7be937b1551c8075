"""Every endpoint of the reports router up the scope ladder: anonymous, no role, another grid (or
another community), the right grid. Denials leave nothing behind; the right one does the work."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from gridwork.api.tests.conftest import session_client
from gridwork.conftest import GRID_A1
from gridwork.fieldwork import reports_meetings as meetings
from gridwork.fieldwork import reports_services as services
from gridwork.fieldwork.reports_models import Feedback, Meeting, ReportEvent, Task, WeeklyReport, WorkLogLine
from gridwork.fieldwork.tests.reports_helpers import WEEK, add_civil_handler, at

pytestmark = pytest.mark.django_db

API = "/api/v1/fieldwork"
NEXT_MONDAY = WEEK + dt.timedelta(days=7)
DAY = WEEK + dt.timedelta(days=2)


@pytest.fixture
def world(district: Any, time_machine: Any) -> dict[str, Any]:
    """Grid A1's submitted report of the week, a meeting, a task and a raised problem."""
    time_machine.move_to(at(NEXT_MONDAY, 9), tick=False)
    worker = district.users["worker_a1"]
    report = services.open_report(worker, GRID_A1, WEEK)
    services.submit_report(worker, report.pk)
    meeting = meetings.record_meeting(worker, GRID_A1, held_on=DAY, title="例会")
    task = meetings.add_decision(
        worker, meeting.pk, text="清点灭火器", outcome="task", owner=worker.pk, due_on=DAY
    ).task
    problem = meetings.raise_problem(worker, GRID_A1, subject="路灯不亮")
    return {"d": district, "report": report, "meeting": meeting, "task": task, "problem": problem}


def _call(world: dict[str, Any], who: str | None, method: str, url: str, body: Any = None) -> Any:
    client = session_client(world["d"], who)
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(url, **kwargs)


def _ladder(
    world: dict[str, Any], method: str, url: str, body: Any, *, other: str, right: str, ok: int = 200
) -> Any:
    assert _call(world, None, method, url, body).status_code == 401
    denied = _call(world, "nobody", method, url, body).status_code
    assert denied == 404, denied
    denied = _call(world, other, method, url, body).status_code
    assert denied in (403, 404), denied
    answer = _call(world, right, method, url, body)
    assert answer.status_code == ok, answer.content
    return answer.json()


def _listing(
    world: dict[str, Any], url: str, right: str = "worker_a1", other: str = "worker_b1"
) -> list[Any]:
    assert _call(world, None, "get", url).status_code == 401
    assert _call(world, "nobody", "get", url).json()["items"] == []
    assert _call(world, other, "get", url).json()["items"] == []
    items = _call(world, right, "get", url).json()["items"]
    assert items
    return items


def test_lists(world: dict[str, Any]) -> None:
    assert _listing(world, f"{API}/weekly-reports")[0]["id"] == world["report"].pk
    assert _listing(world, f"{API}/meetings")[0]["id"] == world["meeting"].pk
    assert _listing(world, f"{API}/tasks")[0]["id"] == world["task"].pk
    assert _listing(world, f"{API}/problems")[0]["id"] == world["problem"].pk
    assert _listing(world, f"{API}/meetings", right="street_a", other="street_b")


def test_lapses_list(world: dict[str, Any], time_machine: Any) -> None:
    time_machine.move_to(at(NEXT_MONDAY, 13), tick=False)
    services.record_missing()
    url = f"{API}/report-lapses"
    assert _call(world, None, "get", url).status_code == 401
    assert _call(world, "nobody", "get", url).json()["items"] == []
    assert {row["grid_id"] for row in _call(world, "worker_b1", "get", url).json()["items"]} == {
        "110112104201001"
    }
    grids = {row["grid_id"] for row in _call(world, "centre_a", "get", url).json()["items"]}
    assert grids == {"110112001001002"}  # A1 was in time; B's grids belong to the other street


def test_reference_lists(world: dict[str, Any]) -> None:
    assert _call(world, None, "get", f"{API}/business-lines").status_code == 401
    codes = [line["code"] for line in _call(world, "worker_a1", "get", f"{API}/business-lines").json()]
    assert codes == [
        "family_planning",
        "subsistence",
        "civil_affairs",
        "civilisation",
        "work_safety",
        "stability",
    ]
    assert _call(world, None, "get", f"{API}/figures").status_code == 401
    assert "cases_reported" in _call(world, "worker_a1", "get", f"{API}/figures").json()


def test_one_report_and_one_meeting(world: dict[str, Any]) -> None:
    body = _ladder(
        world, "get", f"{API}/weekly-reports/{world['report'].pk}", None, other="worker_b1", right="centre_a"
    )
    assert body["status"] == "submitted"
    assert [p["line"] for p in body["parts"]][:2] == ["family_planning", "subsistence"]
    body = _ladder(
        world, "get", f"{API}/meetings/{world['meeting'].pk}", None, other="street_b", right="member_a1"
    )
    assert body["decisions"][0]["task_id"] == world["task"].pk


def test_open_report(world: dict[str, Any]) -> None:
    url, body = (
        f"{API}/weekly-reports",
        {"grid": GRID_A1, "week_start": (WEEK - dt.timedelta(days=7)).isoformat()},
    )
    made = _ladder(world, "post", url, body, other="worker_b1", right="worker_a1")
    assert made["status"] == "draft" and made["week_start"] == body["week_start"]
    assert WeeklyReport.objects.count() == 2


def test_edit_and_submit_a_draft(world: dict[str, Any]) -> None:
    draft = services.open_report(world["d"].users["worker_a1"], GRID_A1, WEEK - dt.timedelta(days=7))
    url = f"{API}/weekly-reports/{draft.pk}"
    edited = _ladder(
        world, "patch", url, {"texts": {"stability": "平稳"}}, other="worker_b1", right="worker_a1"
    )
    assert [p["text"] for p in edited["parts"] if p["line"] == "stability"] == ["平稳"]
    submitted = _ladder(world, "post", f"{url}/submit", None, other="worker_b1", right="worker_a1")
    assert submitted["status"] == "submitted" and submitted["late"] is True
    again = _call(world, "worker_a1", "post", f"{url}/submit")
    assert again.status_code == 409
    assert _call(world, "worker_a1", "patch", url, {"texts": {"nope": "x"}}).status_code == 409


def test_return_then_accept_and_forward(world: dict[str, Any]) -> None:
    add_civil_handler(world["d"])
    url = f"{API}/weekly-reports/{world['report'].pk}"
    assert _call(world, "centre_a", "post", f"{url}/return", {"note": ""}).status_code == 422
    returned = _ladder(world, "post", f"{url}/return", {"note": "补充"}, other="street_b", right="centre_a")
    assert returned["status"] == "returned"
    assert _call(world, "worker_a1", "post", f"{url}/submit").status_code == 200
    accepted = _ladder(world, "post", f"{url}/accept", {"note": ""}, other="street_b", right="centre_a")
    assert accepted["status"] == "accepted"
    forwarded = _ladder(
        world, "post", f"{url}/forward", {"lines": ["subsistence"]}, other="street_b", right="centre_a"
    )
    assert [p["line"] for p in forwarded["parts"] if p["forwarded_at"]] == ["subsistence"]
    assert ReportEvent.objects.filter(report=world["report"], action="forward").count() == 1
    # The counterpart's inbox of parts: the civil-affairs handler, not a worker, not anonymous.
    assert _call(world, None, "get", f"{API}/forwarded").status_code == 401
    assert _call(world, "worker_a1", "get", f"{API}/forwarded").json()["items"] == []
    assert _call(world, "department", "get", f"{API}/forwarded").json()["items"] == []  # another department
    items = _call(world, "civil_a", "get", f"{API}/forwarded").json()["items"]
    assert [(i["grid"], i["line"]) for i in items] == [(GRID_A1, "subsistence")]


def test_worklog(world: dict[str, Any]) -> None:
    url = f"{API}/worklog/{DAY.isoformat()}/lines"
    made = _ladder(
        world,
        "post",
        url,
        {"text": "走访两户", "grid": GRID_A1},
        other="worker_b1",
        right="worker_a1",
        ok=201,
    )
    assert made["text"] == "走访两户"
    assert WorkLogLine.objects.count() == 1
    read = _ladder(
        world,
        "get",
        f"{API}/worklog?day={DAY.isoformat()}&grid={GRID_A1}",
        None,
        other="worker_b1",
        right="worker_a1",
    )
    assert [line["text"] for line in read["lines"]] == ["走访两户"]
    # A grid code under the street's own community that names no grid is as missing as another
    # street's grid, for reading and for writing.
    for grid in ("110112001001999", "110112104201001"):
        client = session_client(world["d"], "street_a")
        assert client.get(f"{API}/worklog?day={DAY.isoformat()}&grid={grid}").status_code == 404
        client = session_client(world["d"], "centre_a")
        answer = client.post(url, json.dumps({"text": "x", "grid": grid}), content_type="application/json")
        assert answer.status_code == 404


def test_record_meeting_and_decide(world: dict[str, Any]) -> None:
    body = {
        "grid": GRID_A1,
        "held_on": DAY.isoformat(),
        "title": "十二月例会",
        "attendees": [{"name": "李阿姨", "team_role": "volunteer"}],
    }
    made = _ladder(world, "post", f"{API}/meetings", body, other="worker_b1", right="member_a1", ok=201)
    assert made["attendees"] == [{"user_id": None, "name": "李阿姨", "team_role": "volunteer"}]
    assert Meeting.objects.count() == 2
    url = f"{API}/meetings/{made['id']}/decisions"
    decided = _ladder(
        world,
        "post",
        url,
        {"text": "楼道堆物清理", "outcome": "case", "category": "E0104"},
        other="worker_b1",
        right="worker_a1",
        ok=201,
    )
    assert decided["outcome"] == "case" and decided["case_id"]
    bad = _call(world, "worker_a1", "post", url, {"text": "x", "outcome": "task"})
    assert bad.status_code == 422


def test_task_done(world: dict[str, Any]) -> None:
    done = _ladder(
        world,
        "post",
        f"{API}/tasks/{world['task'].pk}/done",
        {"note": "已完成"},
        other="worker_b1",
        right="worker_a1",
    )
    assert done["status"] == "done"
    assert Task.objects.get().status == "done"


def test_raise_answer_close_problem(world: dict[str, Any]) -> None:
    made = _ladder(
        world,
        "post",
        f"{API}/problems",
        {"grid": GRID_A1, "subject": "井盖缺失"},
        other="worker_b1",
        right="worker_a1",
        ok=201,
    )
    url = f"{API}/problems/{made['id']}"
    answered = _ladder(
        world, "post", f"{url}/answer", {"answer": "已派单"}, other="street_b", right="centre_a"
    )
    assert answered["status"] == "answered"
    closed = _ladder(world, "post", f"{url}/close", None, other="worker_b1", right="worker_a1")
    assert closed["status"] == "closed"
    assert Feedback.objects.filter(status="closed").count() == 1


def test_bad_input_is_refused_clearly(world: dict[str, Any]) -> None:
    worker = "worker_a1"
    for week in ("0001-01-01", "2026-11-03", "3000-01-05"):
        answer = _call(world, worker, "post", f"{API}/weekly-reports", {"grid": GRID_A1, "week_start": week})
        assert answer.status_code == 422, (week, answer.content)
    answer = _call(world, worker, "post", f"{API}/worklog/0001-01-02/lines", {"text": "x", "grid": GRID_A1})
    assert answer.status_code == 422
    future = (NEXT_MONDAY + dt.timedelta(days=1)).isoformat()
    body = {"grid": GRID_A1, "held_on": future, "title": "x"}
    assert _call(world, worker, "post", f"{API}/meetings", body).status_code == 422
    body = {"grid": GRID_A1, "held_on": DAY.isoformat(), "title": "x", "attendees": [{"team_role": "boss"}]}
    assert _call(world, worker, "post", f"{API}/meetings", body).status_code == 422
    assert Meeting.objects.count() == 1  # nothing written by the refused calls

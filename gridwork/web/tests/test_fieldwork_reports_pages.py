"""The field-work report pages up the scope ladder (anonymous, no role, another grid, the right
grid), and their forms: write and submit, submit twice, return and resubmit, forward, meetings,
the work log and the problem register, with bad input answered by a message, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from gridwork.conftest import GRID_A1
from gridwork.fieldwork import reports_meetings as meetings
from gridwork.fieldwork import reports_services as services
from gridwork.fieldwork.reports_models import Decision, Feedback, Meeting, WeeklyReport, WorkLogLine
from gridwork.fieldwork.tests.reports_helpers import WEEK, add_civil_handler, at

pytestmark = pytest.mark.django_db

NEXT_MONDAY = WEEK + dt.timedelta(days=7)
DAY = WEEK + dt.timedelta(days=2)


@pytest.fixture
def world(district: Any, time_machine: Any) -> dict[str, Any]:
    time_machine.move_to(at(NEXT_MONDAY, 9), tick=False)
    worker = district.users["worker_a1"]
    report = services.open_report(worker, GRID_A1, WEEK)
    meeting = meetings.record_meeting(worker, GRID_A1, held_on=DAY, title="十一月例会")
    problem = meetings.raise_problem(worker, GRID_A1, subject="路灯不亮")
    return {"d": district, "report": report, "meeting": meeting, "problem": problem}


def _get(world: dict[str, Any], who: str | None, url: str) -> Any:
    return world["d"].client(who).get(url)


def _post(world: dict[str, Any], who: str | None, url: str, data: dict[str, Any]) -> Any:
    return world["d"].client(who).post(url, data, follow=True)


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("web:fieldwork_reports", "worker_b1"),
        ("web:fieldwork_meetings", "worker_b1"),
        ("web:fieldwork_problems", "street_b"),
    ],
)
def test_list_pages_ladder(world: dict[str, Any], name: str, other: str) -> None:
    url = reverse(name)
    assert _get(world, None, url).status_code == 302  # to the login page
    assert _get(world, "nobody", url).status_code == 403
    report_link = reverse("web:fieldwork_weekly_report", args=[world["report"].pk])
    marker = {"web:fieldwork_reports": report_link, "web:fieldwork_meetings": "十一月例会"}.get(
        name, "路灯不亮"
    )
    assert marker not in _get(world, other, url).content.decode()
    page = _get(world, "worker_a1", url)
    assert page.status_code == 200 and marker in page.content.decode()


@pytest.mark.parametrize("which", ["report", "meeting"])
def test_object_pages_ladder(world: dict[str, Any], which: str) -> None:
    name = {"report": "fieldwork_weekly_report", "meeting": "fieldwork_meeting"}[which]
    url = reverse(f"web:{name}", args=[world[which].pk])
    assert _get(world, None, url).status_code == 302
    assert _get(world, "nobody", url).status_code == 403
    assert _get(world, "worker_b1", url).status_code == 404
    assert _get(world, "street_b", url).status_code == 404
    assert _get(world, "worker_a1", url).status_code == 200
    assert _get(world, "centre_a", url).status_code == 200


def test_lapses_and_worklog_and_forwarded_ladders(world: dict[str, Any]) -> None:
    lapses = reverse("web:fieldwork_lapses")
    assert _get(world, None, lapses).status_code == 302
    assert _get(world, "nobody", lapses).status_code == 403
    assert _get(world, "worker_a1", lapses).status_code == 403  # the community's page
    page = _get(world, "centre_a", lapses).content.decode()
    assert GRID_A1 in page and "110112104201001" not in page
    log = reverse("web:fieldwork_worklog")
    assert _get(world, None, log).status_code == 302
    assert _get(world, "nobody", log).status_code == 403
    assert _get(world, "worker_b1", f"{log}?grid={GRID_A1}").status_code == 404
    assert _get(world, "worker_a1", log).status_code == 200
    forwarded = reverse("web:fieldwork_forwarded")
    assert _get(world, None, forwarded).status_code == 302
    assert _get(world, "nobody", forwarded).status_code == 200  # an empty inbox of parts


def test_write_submit_twice_return_resubmit_accept_forward(world: dict[str, Any]) -> None:
    civil = add_civil_handler(world["d"])
    report = world["report"]
    act = lambda action: reverse("web:fieldwork_report_act", args=[report.pk, action])  # noqa: E731
    answer = _post(world, "worker_b1", act("submit"), {})
    assert answer.status_code == 404
    answer = _post(world, "worker_a1", act("submit"), {"text-stability": "平稳", "version": report.version})
    assert answer.status_code == 200 and "平稳" in answer.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"
    twice = _post(world, "worker_a1", act("submit"), {"text-stability": "再交一次"})
    assert twice.status_code == 200
    report.refresh_from_db()
    assert report.status == "submitted" and report.lines.get(line__code="stability").text == "平稳"
    assert _post(world, "worker_a1", act("accept"), {}).status_code == 200  # refused with a message
    report.refresh_from_db()
    assert report.status == "submitted"
    _post(world, "centre_a", act("return"), {"note": ""})
    report.refresh_from_db()
    assert report.status == "submitted"  # a return needs its note
    _post(world, "centre_a", act("return"), {"note": "补充低保情况"})
    report.refresh_from_db()
    assert report.status == "returned"
    _post(world, "worker_a1", act("submit"), {"text-subsistence": "走访三户"})
    _post(world, "centre_a", act("accept"), {})
    _post(world, "centre_a", act("forward"), {"line": ["subsistence"]})
    report.refresh_from_db()
    assert report.status == "accepted"
    assert [p.line.code for p in services.forwarded_to(civil)] == ["subsistence"]
    inbox = world["d"].client(None)
    inbox.force_login(civil)
    assert "走访三户" in inbox.get(reverse("web:fieldwork_forwarded")).content.decode()
    assert _post(world, "centre_a", act("nonsense"), {}).status_code == 404


def test_start_a_report_from_the_list(world: dict[str, Any]) -> None:
    start = reverse("web:fieldwork_report_start")
    earlier = (WEEK - dt.timedelta(days=7)).isoformat()
    assert _post(world, "worker_b1", start, {"grid": GRID_A1, "week": earlier}).status_code == 404
    assert _post(world, "worker_a1", start, {"grid": GRID_A1, "week": "not-a-date"}).status_code == 200
    page = _post(world, "worker_a1", start, {"grid": GRID_A1, "week": earlier})
    assert page.status_code == 200
    assert WeeklyReport.objects.filter(grid_id=GRID_A1, week_start=earlier).exists()


def test_meeting_forms(world: dict[str, Any]) -> None:
    d = world["d"]
    page = _post(
        world,
        "worker_a1",
        reverse("web:fieldwork_meetings"),
        {
            "grid": GRID_A1,
            "held_on": DAY.isoformat(),
            "title": "十二月例会",
            "user": [d.users["member_a1"].pk],
            f"role-{d.users['member_a1'].pk}": "party_member",
            "names": "王警官,police\n李阿姨",
        },
    )
    assert page.status_code == 200
    meeting = Meeting.objects.get(title="十二月例会")
    assert list(meeting.attendees.values_list("team_role", flat=True)) == [
        "party_member",
        "police",
        "volunteer",
    ]
    bad = _post(
        world,
        "worker_a1",
        reverse("web:fieldwork_meetings"),
        {"grid": GRID_A1, "held_on": "2999-01-01", "title": "x"},
    )
    assert bad.status_code == 200 and Meeting.objects.count() == 2
    url = reverse("web:fieldwork_meeting", args=[meeting.pk])
    assert _post(world, "worker_b1", url, {"text": "x"}).status_code == 404
    _post(world, "worker_a1", url, {"text": "清理楼道", "outcome": "case", "category": "E0104"})
    _post(
        world,
        "worker_a1",
        url,
        {"text": "统计老人", "outcome": "task", "owner": d.users["member_a1"].pk, "due_on": DAY.isoformat()},
    )
    _post(world, "worker_a1", url, {"text": "缺负责人", "outcome": "task"})  # refused with a message
    assert list(Decision.objects.filter(meeting=meeting).values_list("outcome", flat=True)) == [
        "case",
        "task",
    ]
    task = Decision.objects.get(outcome="task").task
    assert (
        _post(world, "worker_b1", reverse("web:fieldwork_task_done", args=[task.pk]), {}).status_code == 404
    )
    _post(world, "member_a1", reverse("web:fieldwork_task_done", args=[task.pk]), {})
    task.refresh_from_db()
    assert task.status == "done"


def test_worklog_and_problem_forms(world: dict[str, Any]) -> None:
    log = reverse("web:fieldwork_worklog")
    _post(
        world,
        "worker_a1",
        log,
        {"day": DAY.isoformat(), "grid": GRID_A1, "text": "走访两户", "line": "civil_affairs"},
    )
    _post(
        world, "worker_a1", log, {"day": DAY.isoformat(), "grid": GRID_A1, "text": ""}
    )  # a message, nothing saved
    assert list(WorkLogLine.objects.values_list("text", flat=True)) == ["走访两户"]
    assert "走访两户" in _get(world, "worker_a1", f"{log}?day={DAY.isoformat()}").content.decode()
    problem = world["problem"]
    answer = reverse("web:fieldwork_problem_act", args=[problem.pk, "answer"])
    assert _post(world, "street_b", answer, {"answer": "x"}).status_code == 404
    _post(world, "worker_a1", answer, {"answer": "自答"})  # not theirs to answer
    _post(world, "centre_a", answer, {"answer": "已派单维修"})
    _post(world, "worker_a1", reverse("web:fieldwork_problem_act", args=[problem.pk, "close"]), {})
    problem.refresh_from_db()
    assert (problem.status, problem.answer) == (Feedback.Status.CLOSED, "已派单维修")


def test_odd_days_in_the_address_never_fail(world: dict[str, Any]) -> None:
    log = reverse("web:fieldwork_worklog")
    for day in ("0001-01-01", "9999-12-31", "yesterday"):
        assert _get(world, "worker_a1", f"{log}?day={day}").status_code == 200
    start = reverse("web:fieldwork_report_start")
    assert _post(world, "worker_a1", start, {"grid": GRID_A1, "week": "0001-01-01"}).status_code == 200
    assert WeeklyReport.objects.count() == 1

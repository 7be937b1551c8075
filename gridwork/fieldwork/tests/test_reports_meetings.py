"""Meetings and their decisions (to a case, to a task), tasks, the problem-feedback register, and
the work log's figures from the day's records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridwork.cases.models import Case, Source
from gridwork.conftest import GRID_A1, GRID_A2, GRID_ORIGINS
from gridwork.core.errors import Conflict, NotFound
from gridwork.fieldwork import reports_meetings as meetings
from gridwork.fieldwork import reports_services as services
from gridwork.fieldwork import reports_worklog as worklog
from gridwork.fieldwork.reports_models import Decision, Feedback, Task
from gridwork.fieldwork.tests.reports_helpers import WEEK, act, at, report_case
from gridwork.notify.models import Notification

pytestmark = pytest.mark.django_db

DAY = WEEK + dt.timedelta(days=2)


def _meeting(d, **kw):  # noqa: ANN001, ANN003, ANN202
    kw.setdefault("attendees", [{"user": d.users["member_a1"].pk, "team_role": "info_officer"}])
    return meetings.record_meeting(d.users["worker_a1"], GRID_A1, held_on=DAY, title="十一月网格例会", **kw)


def test_meeting_with_attendees_as_users_and_names(district, time_machine):
    time_machine.move_to(at(DAY, 16), tick=False)
    meeting = _meeting(
        district,
        minutes="讨论了垃圾分类",
        attendees=[
            {"user": district.users["worker_a1"].pk, "team_role": "worker"},
            {"user": district.users["member_a1"].pk, "team_role": "party_member"},
            {"name": "王警官", "team_role": "police"},
            {"name": "李阿姨", "team_role": "volunteer"},
        ],
    )
    assert list(meeting.attendees.values_list("name", "team_role")) == [
        ("worker_a1", "worker"),
        ("member_a1", "party_member"),
        ("王警官", "police"),
        ("李阿姨", "volunteer"),
    ]
    with pytest.raises(ValidationError):  # someone of another street is not of this grid's team
        _meeting(district, attendees=[{"user": district.users["worker_b1"].pk, "team_role": "worker"}])
    with pytest.raises(ValidationError):
        _meeting(district, attendees=[{"team_role": "volunteer"}])
    with pytest.raises(ValidationError):
        meetings.record_meeting(
            district.users["worker_a1"], GRID_A1, held_on=DAY + dt.timedelta(days=1), title="x"
        )
    with pytest.raises(NotFound):
        meetings.record_meeting(district.users["worker_b1"], GRID_A1, held_on=DAY, title="x")
    with pytest.raises(PermissionDenied):  # the community reviews; the grid's team records its meetings
        meetings.record_meeting(district.users["centre_a"], GRID_A1, held_on=DAY, title="x")


def test_a_decision_becomes_a_case_in_the_meetings_grid(district, time_machine):
    time_machine.move_to(at(DAY, 16), tick=False)
    meeting = _meeting(district)
    decision = meetings.add_decision(
        district.users["worker_a1"], meeting.pk, text="清理楼道堆物", outcome="case", category="E0104"
    )
    case = Case.objects.get(pk=decision.case_id)
    assert (case.grid_id, case.category.code, case.source, case.title) == (
        GRID_A1,
        "E0104",
        Source.MEMO,
        "清理楼道堆物",
    )
    assert decision.outcome == Decision.Outcome.CASE
    lon, lat = GRID_ORIGINS[GRID_A2]
    with pytest.raises(ValidationError):  # a place in another grid
        meetings.add_decision(
            district.users["worker_a1"],
            meeting.pk,
            text="x",
            outcome="case",
            category="E0104",
            lon=lon + 0.005,
            lat=lat + 0.005,
        )
    assert Decision.objects.filter(meeting=meeting).count() == 1  # the refused one left nothing
    assert Case.objects.count() == 1


def test_a_decision_becomes_a_task_with_an_owner_and_a_due_date(
    district, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(DAY, 16), tick=False)
    meeting = _meeting(district)
    member = district.users["member_a1"]
    with django_capture_on_commit_callbacks(execute=True):
        decision = meetings.add_decision(
            district.users["worker_a1"],
            meeting.pk,
            text="统计独居老人",
            outcome="task",
            owner=member.pk,
            due_on=DAY + dt.timedelta(days=7),
        )
    task = Task.objects.get(pk=decision.task_id)
    assert (task.owner, task.grid_id, task.due_on, task.status) == (
        member,
        GRID_A1,
        DAY + dt.timedelta(days=7),
        "open",
    )
    assert Notification.objects.filter(recipient=member, kind="fieldwork").count() == 1
    with pytest.raises(ValidationError):
        meetings.add_decision(
            district.users["worker_a1"],
            meeting.pk,
            text="x",
            outcome="task",
            owner=member.pk,
            due_on=DAY - dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        meetings.add_decision(
            district.users["worker_a1"],
            meeting.pk,
            text="x",
            outcome="task",
            owner=district.users["worker_b1"].pk,
            due_on=DAY,
        )
    with pytest.raises(NotFound):
        meetings.complete_task(district.users["worker_b1"], task.pk)
    time_machine.move_to(at(DAY + dt.timedelta(days=1), 10), tick=False)
    meetings.complete_task(member, task.pk, note="已统计12人")
    with pytest.raises(Conflict):
        meetings.complete_task(member, task.pk)
    figures = services.assemble(GRID_A1, WEEK)[""]
    assert (figures["meetings"], figures["decisions"], figures["tasks_set"], figures["tasks_done"]) == (
        1,
        1,
        1,
        1,
    )


def test_the_problem_feedback_register(district, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(at(DAY, 9), tick=False)
    worker, centre = district.users["worker_a1"], district.users["centre_a"]
    with django_capture_on_commit_callbacks(execute=True):
        problem = meetings.raise_problem(worker, GRID_A1, subject="小区路灯长期不亮", detail="3号楼前")
    assert Notification.objects.filter(recipient=centre, kind="fieldwork").count() == 1
    with pytest.raises(Conflict):
        meetings.close_problem(worker, problem.pk)  # nothing came back yet
    with pytest.raises(PermissionDenied):
        meetings.answer_problem(worker, problem.pk, answer="自己回答")
    with pytest.raises(NotFound):
        meetings.answer_problem(district.users["street_b"], problem.pk, answer="x")
    meetings.answer_problem(centre, problem.pk, answer="已报市政管理所，本周内修复")
    meetings.close_problem(worker, problem.pk)
    problem.refresh_from_db()
    assert (problem.status, problem.answer) == (Feedback.Status.CLOSED, "已报市政管理所，本周内修复")
    assert list(Feedback.objects.visible_to(district.users["worker_a2"])) == []
    assert list(Feedback.objects.visible_to(district.users["street_a"])) == [problem]


def test_work_log_figures_are_the_workers_own_records_of_the_day(district, time_machine):
    worker = district.users["worker_a1"]
    report_case(district, GRID_A1, "S0104", at(DAY, 9))
    dispute = report_case(district, GRID_A1, "S0104", at(DAY, 10))
    act(district, "worker_a1", dispute, "resolve", at(DAY, 11), note="调解完毕")
    report_case(district, GRID_A1, "S0104", at(DAY + dt.timedelta(days=1), 0, 5))  # the next day
    report_case(district, GRID_A2, "S0104", at(DAY, 9), who="worker_a2")  # someone else
    time_machine.move_to(at(DAY, 18), tick=False)
    _meeting(district, attendees=[{"user": worker.pk, "team_role": "worker"}])
    worklog.add_line(worker, DAY, "走访独居老人两户", line_code="civil_affairs")
    worklog.add_line(worker, DAY, "整理台账")
    log = worklog.day_log(worker, DAY)
    counts = {f["key"]: f["count"] for f in log["figures"]}
    assert counts["cases_reported"] == 2
    assert counts["cases_closed"] == 1
    assert counts["cases_acted"] == 1
    assert counts["meetings"] == 1
    assert [line.text for line in log["lines"]] == ["走访独居老人两户", "整理台账"]
    assert (
        worklog.day_log(district.users["centre_a"], DAY, grid_code=GRID_A1, worker=worker)["log"]
        == log["log"]
    )
    with pytest.raises(NotFound):
        worklog.day_log(district.users["worker_b1"], DAY, grid_code=GRID_A1, worker=worker)
    with pytest.raises(ValidationError):
        worklog.add_line(worker, DAY + dt.timedelta(days=1), "明天的事")
    with pytest.raises(NotFound):
        worklog.add_line(district.users["centre_a"], DAY, "中心没有工作日志")

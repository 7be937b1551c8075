"""Field work, part "reports", over the API: business lines, work logs, weekly reports (assemble,
edit, submit, review, forward), late and missing reports, the parts forwarded to me, meetings and
their decisions, tasks, and the problem-feedback register.

Thin: every read starts from a `visible_to(request.user)` queryset (out of scope answers 404),
every write is one call of the reports services.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from gridwork.core.bounds import EARLIEST_DATE, LATEST_DATE, InputSchema, RecordId
from gridwork.core.routers import CappedLimitOffset
from gridwork.core.scoping import code_range_q
from gridwork.fieldwork import reports_meetings as meetings
from gridwork.fieldwork import reports_services as services
from gridwork.fieldwork import reports_worklog as worklog
from gridwork.fieldwork.reports_models import (
    BusinessLine,
    Feedback,
    Meeting,
    ReportLapse,
    Task,
    WeeklyReport,
)
from gridwork.fieldwork.reports_sources import FIGURE_LABELS

router = Router(tags=["field work: reports"])

AREA = Query(
    None, min_length=6, max_length=15, pattern=r"^\d+$", description="an area code: everything under it"
)
DAY_IN_PATH = Path(..., ge=EARLIEST_DATE, le=LATEST_DATE, description="the day")
DAY = Query(None, ge=EARLIEST_DATE, le=LATEST_DATE, description="a day (default: today)")


class LineOut(Schema):
    code: str
    name_zh: str
    name_en: str
    counterpart_department: str
    counterpart_role: str


class FigureOut(Schema):
    key: str
    label: str
    count: int


class LogLineOut(Schema):
    id: int
    text: str
    line: str | None
    created_at: dt.datetime


class WorkLogOut(Schema):
    day: dt.date
    grid: str
    figures: list[FigureOut]
    lines: list[LogLineOut]


class LogLineIn(InputSchema):
    text: str = Field(min_length=1, max_length=500)
    grid: str | None = Field(None, max_length=15)
    line: str = Field("", max_length=40)


class ReportPartOut(Schema):
    line: str
    name: str
    figures: dict[str, int]
    text: str
    forwarded_at: dt.datetime | None


class ReportEventOut(Schema):
    action: str
    actor: str | None
    at: dt.datetime
    note: str


class ReportOut(Schema):
    id: int
    grid: str
    week_start: dt.date
    status: str
    deadline: dt.datetime
    submitted_at: dt.datetime | None
    late: bool
    summary: str
    review_note: str
    version: int
    figures: dict[str, int]
    parts: list[ReportPartOut]
    history: list[ReportEventOut]


class ReportListOut(Schema):
    id: int
    grid_id: str
    week_start: dt.date
    status: str
    late: bool
    submitted_at: dt.datetime | None


class ReportOpenIn(InputSchema):
    grid: str = Field(min_length=15, max_length=15)
    week_start: dt.date = Field(ge=EARLIEST_DATE, le=LATEST_DATE)


class ReportTextsIn(InputSchema):
    texts: dict[str, str] = Field(default_factory=dict)
    summary: str | None = Field(None, max_length=4000)
    expected_version: int | None = Field(None, ge=1, le=2**31 - 1)


class NoteIn(InputSchema):
    note: str = Field("", max_length=1000)


class ForwardIn(InputSchema):
    lines: list[str] = Field(default_factory=list, max_length=50)


class ForwardedOut(Schema):
    report_id: int
    grid: str
    week_start: dt.date
    line: str
    name: str
    figures: dict[str, int]
    text: str
    forwarded_at: dt.datetime


class LapseOut(Schema):
    grid_id: str
    week_start: dt.date
    kind: str
    recorded_at: dt.datetime
    report_id: int | None


class AttendeeIn(InputSchema):
    user: int | None = Field(None, ge=1, le=2**63 - 1)
    name: str = Field("", max_length=50)
    team_role: str = Field("other", max_length=14)


class MeetingIn(InputSchema):
    grid: str = Field(min_length=15, max_length=15)
    held_on: dt.date = Field(ge=EARLIEST_DATE, le=LATEST_DATE)
    title: str = Field(min_length=1, max_length=200)
    minutes: str = Field("", max_length=20000)
    attendees: list[AttendeeIn] = Field(default_factory=list, max_length=40)


class AttendeeOut(Schema):
    user_id: int | None
    name: str
    team_role: str


class DecisionOut(Schema):
    id: int
    text: str
    outcome: str
    case_id: int | None
    task_id: int | None


class MeetingOut(Schema):
    id: int
    grid_id: str
    held_on: dt.date
    title: str
    minutes: str
    attendees: list[AttendeeOut]
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_attendees(obj: Meeting) -> list[Any]:
        return list(obj.attendees.all())

    @staticmethod
    def resolve_decisions(obj: Meeting) -> list[Any]:
        return list(obj.decisions.all())


class DecisionIn(InputSchema):
    text: str = Field(min_length=1, max_length=500)
    outcome: str = Field("note", max_length=4)
    category: str = Field("", max_length=20)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    owner: int | None = Field(None, ge=1, le=2**63 - 1)
    due_on: dt.date | None = Field(None, ge=EARLIEST_DATE, le=LATEST_DATE)


class TaskOut(Schema):
    id: int
    grid_id: str
    title: str
    owner_id: int
    due_on: dt.date
    status: str
    done_at: dt.datetime | None


class ProblemIn(InputSchema):
    grid: str = Field(min_length=15, max_length=15)
    subject: str = Field(min_length=1, max_length=200)
    detail: str = Field("", max_length=4000)
    meeting: int | None = Field(None, ge=1, le=2**63 - 1)


class AnswerIn(InputSchema):
    answer: str = Field(min_length=1, max_length=4000)


class ProblemOut(Schema):
    id: int
    grid_id: str
    subject: str
    detail: str
    status: str
    raised_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


def _report_out(report: WeeklyReport) -> dict[str, Any]:
    figures = services.current_figures(report)
    parts = report.lines.select_related("line")
    return {
        "id": report.pk,
        "grid": report.grid_id,
        "week_start": report.week_start,
        "status": report.status,
        "deadline": report.deadline,
        "submitted_at": report.submitted_at,
        "late": report.late,
        "summary": report.summary,
        "review_note": report.review_note,
        "version": report.version,
        "figures": figures.get("", {}),
        "parts": [
            {
                "line": part.line.code,
                "name": part.line.name,
                "figures": figures.get(part.line.code, {}),
                "text": part.text,
                "forwarded_at": part.forwarded_at,
            }
            for part in parts
        ],
        "history": [
            {
                "action": e.action,
                "actor": e.actor.get_username() if e.actor else None,
                "at": e.at,
                "note": e.note,
            }
            for e in report.events.select_related("actor")
        ],
    }


@router.get(
    "/fieldwork/business-lines", response=list[LineOut], summary="The business lines of the weekly report"
)
def business_lines(request: HttpRequest) -> Any:
    return BusinessLine.objects.filter(active=True)


@router.get(
    "/fieldwork/figures", response=dict[str, str], summary="The names of the figures the reports count"
)
def figure_names(request: HttpRequest) -> Any:
    return {key: str(label) for key, label in FIGURE_LABELS.items()}


@router.get(
    "/fieldwork/worklog", response=WorkLogOut, summary="My work log of a day (figures from the records)"
)
def my_worklog(request: HttpRequest, day: dt.date | None = DAY, grid: str | None = AREA) -> Any:
    found = worklog.day_log(request.user, day or timezone.localdate(), grid_code=grid)
    found["lines"] = [
        {"id": x.pk, "text": x.text, "line": x.line.code if x.line else None, "created_at": x.created_at}
        for x in found["lines"]
    ]
    return found


@router.post(
    "/fieldwork/worklog/{day}/lines", response={201: LogLineOut}, summary="Add a line to my work log"
)
def add_worklog_line(request: HttpRequest, payload: LogLineIn, day: dt.date = DAY_IN_PATH) -> Any:
    entry = worklog.add_line(request.user, day, payload.text, grid_code=payload.grid, line_code=payload.line)
    return 201, {
        "id": entry.pk,
        "text": entry.text,
        "line": payload.line or None,
        "created_at": entry.created_at,
    }


@router.get("/fieldwork/weekly-reports", response=list[ReportListOut], summary="Weekly reports (scoped)")
@paginate(CappedLimitOffset)
def list_reports(
    request: HttpRequest, area: str | None = AREA, status: str | None = None, week: dt.date | None = DAY
) -> Any:
    reports = WeeklyReport.objects.visible_to(request.user)
    if area:
        reports = reports.filter(code_range_q("grid__code", area))
    if status:
        reports = reports.filter(status=status)
    if week:
        reports = reports.filter(week_start=services.week_of(week))
    return reports.order_by("-week_start", "grid_id")


@router.post(
    "/fieldwork/weekly-reports", response=ReportOut, summary="Start (or open) a grid's report of a week"
)
def open_report(request: HttpRequest, payload: ReportOpenIn) -> Any:
    return _report_out(services.open_report(request.user, payload.grid, payload.week_start))


@router.get("/fieldwork/weekly-reports/{report_id}", response=ReportOut, summary="One weekly report")
def get_report(request: HttpRequest, report_id: RecordId) -> Any:
    return _report_out(services.get_report(request.user, report_id))


@router.patch("/fieldwork/weekly-reports/{report_id}", response=ReportOut, summary="Edit a report's texts")
def edit_report(request: HttpRequest, report_id: RecordId, payload: ReportTextsIn) -> Any:
    report = services.save_texts(
        request.user,
        report_id,
        texts=payload.texts,
        summary=payload.summary,
        expected_version=payload.expected_version,
    )
    return _report_out(report)


@router.post(
    "/fieldwork/weekly-reports/{report_id}/submit", response=ReportOut, summary="Submit a weekly report"
)
def submit_report(request: HttpRequest, report_id: RecordId) -> Any:
    return _report_out(services.submit_report(request.user, report_id))


@router.post("/fieldwork/weekly-reports/{report_id}/accept", response=ReportOut, summary="Accept a report")
def accept_report(request: HttpRequest, report_id: RecordId, payload: NoteIn) -> Any:
    return _report_out(services.accept_report(request.user, report_id, note=payload.note))


@router.post("/fieldwork/weekly-reports/{report_id}/return", response=ReportOut, summary="Return a report")
def return_report(request: HttpRequest, report_id: RecordId, payload: NoteIn) -> Any:
    return _report_out(services.return_report(request.user, report_id, note=payload.note))


@router.post(
    "/fieldwork/weekly-reports/{report_id}/forward",
    response=ReportOut,
    summary="Forward parts to counterparts",
)
def forward_report(request: HttpRequest, report_id: RecordId, payload: ForwardIn) -> Any:
    services.forward_report(request.user, report_id, lines=payload.lines or None)
    return _report_out(services.get_report(request.user, report_id))


@router.get("/fieldwork/forwarded", response=list[ForwardedOut], summary="Report parts forwarded to me")
@paginate(CappedLimitOffset)
def forwarded(request: HttpRequest) -> Any:
    return [
        {
            "report_id": part.report_id,
            "grid": part.report.grid_id,
            "week_start": part.report.week_start,
            "line": part.line.code,
            "name": part.line.name,
            "figures": part.figures,
            "text": part.text,
            "forwarded_at": part.forwarded_at,
        }
        for part in services.forwarded_to(request.user)[:500]
    ]


@router.get("/fieldwork/report-lapses", response=list[LapseOut], summary="Late and missing weekly reports")
@paginate(CappedLimitOffset)
def lapses(request: HttpRequest, area: str | None = AREA) -> Any:
    found = ReportLapse.objects.visible_to(request.user)
    if area:
        found = found.filter(code_range_q("grid__code", area))
    return found.order_by("-week_start", "grid_id")


@router.get("/fieldwork/meetings", response=list[MeetingOut], summary="Grid meetings (scoped)")
@paginate(CappedLimitOffset)
def list_meetings(request: HttpRequest, area: str | None = AREA) -> Any:
    found = Meeting.objects.visible_to(request.user).prefetch_related("attendees", "decisions")
    if area:
        found = found.filter(code_range_q("grid__code", area))
    return found


@router.post("/fieldwork/meetings", response={201: MeetingOut}, summary="Record a grid meeting")
def record_meeting(request: HttpRequest, payload: MeetingIn) -> Any:
    meeting = meetings.record_meeting(
        request.user,
        payload.grid,
        held_on=payload.held_on,
        title=payload.title,
        minutes=payload.minutes,
        attendees=[a.dict() for a in payload.attendees],
    )
    return 201, meeting


@router.get("/fieldwork/meetings/{meeting_id}", response=MeetingOut, summary="One meeting")
def get_meeting(request: HttpRequest, meeting_id: RecordId) -> Any:
    return meetings.get_meeting(request.user, meeting_id)


@router.post(
    "/fieldwork/meetings/{meeting_id}/decisions",
    response={201: DecisionOut},
    summary="Add a decision (noted, or made a case or a task)",
)
def add_decision(request: HttpRequest, meeting_id: RecordId, payload: DecisionIn) -> Any:
    decision = meetings.add_decision(
        request.user,
        meeting_id,
        text=payload.text,
        outcome=payload.outcome,
        category=payload.category,
        lon=payload.lon,
        lat=payload.lat,
        owner=payload.owner,
        due_on=payload.due_on,
    )
    return 201, decision


@router.get("/fieldwork/tasks", response=list[TaskOut], summary="Tasks from meetings (scoped)")
@paginate(CappedLimitOffset)
def list_tasks(request: HttpRequest, area: str | None = AREA, mine: bool = False) -> Any:
    found = Task.objects.visible_to(request.user)
    if area:
        found = found.filter(code_range_q("grid__code", area))
    if mine:
        found = found.filter(owner_id=request.user.pk)
    return found


@router.post("/fieldwork/tasks/{task_id}/done", response=TaskOut, summary="Mark a task done")
def task_done(request: HttpRequest, task_id: RecordId, payload: NoteIn) -> Any:
    return meetings.complete_task(request.user, task_id, note=payload.note)


@router.get(
    "/fieldwork/problems", response=list[ProblemOut], summary="The problem-feedback register (scoped)"
)
@paginate(CappedLimitOffset)
def list_problems(request: HttpRequest, area: str | None = AREA, status: str | None = None) -> Any:
    found = Feedback.objects.visible_to(request.user)
    if area:
        found = found.filter(code_range_q("grid__code", area))
    if status:
        found = found.filter(status=status)
    return found


@router.post("/fieldwork/problems", response={201: ProblemOut}, summary="Raise a problem to the community")
def raise_problem(request: HttpRequest, payload: ProblemIn) -> Any:
    problem = meetings.raise_problem(
        request.user, payload.grid, subject=payload.subject, detail=payload.detail, meeting_id=payload.meeting
    )
    return 201, problem


@router.post(
    "/fieldwork/problems/{problem_id}/answer", response=ProblemOut, summary="Answer a raised problem"
)
def answer_problem(request: HttpRequest, problem_id: RecordId, payload: AnswerIn) -> Any:
    return meetings.answer_problem(request.user, problem_id, answer=payload.answer)


@router.post(
    "/fieldwork/problems/{problem_id}/close", response=ProblemOut, summary="Close an answered problem"
)
def close_problem(request: HttpRequest, problem_id: RecordId) -> Any:
    return meetings.close_problem(request.user, problem_id)

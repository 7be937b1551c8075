"""Field work pages, part "reports": weekly reports (write, submit, review, forward), late and
missing reports, the parts forwarded to a counterpart, the work log, meetings with their
decisions, and the problem-feedback register. Phone-first; every write is one service call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridwork.accounts.access import (
    FIELDWORK_REPORTS_RECORD,
    FIELDWORK_REPORTS_REVIEW,
    FIELDWORK_REPORTS_SUBMIT,
    FIELDWORK_REPORTS_VIEW,
    can,
    grid_codes,
    has_capability,
    scope_codes,
)
from gridwork.accounts.decorators import requires, signed_in
from gridwork.areas.models import Area
from gridwork.cases.models import Category
from gridwork.core.bounds import EARLIEST_DATE
from gridwork.core.errors import Conflict
from gridwork.core.scoping import prefix_q
from gridwork.fieldwork import reports_meetings as meetings
from gridwork.fieldwork import reports_services as services
from gridwork.fieldwork import reports_worklog as worklog
from gridwork.fieldwork.reports_models import (
    BusinessLine,
    Decision,
    Feedback,
    LapseKind,
    Meeting,
    ReportLapse,
    ReportStatus,
    Task,
    TeamRole,
    WeeklyReport,
)
from gridwork.fieldwork.reports_sources import labelled
from gridwork.web.views.case_forms import error_messages

LISTED = 100
WEEKS_SHOWN = 8


def _attempt(request: HttpRequest, work: Callable[[], Any], done: str) -> bool:
    """Run one service call; its refusal becomes a message on the page, never a 500."""
    try:
        work()
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, str(exc) or _("This action is not allowed."))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, done)
        return True
    return False


def _own_grids(user: Any, capability: str) -> list[Area]:
    return list(Area.objects.filter(code__in=grid_codes(user, capability)).order_by("code"))


# --- weekly reports -----------------------------------------------------------------------------


@requires(FIELDWORK_REPORTS_VIEW)
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    status = request.GET.get("status", "")
    found = WeeklyReport.objects.visible_to(user).select_related("grid")
    if status in ReportStatus.values:
        found = found.filter(status=status)
    this_week = services.week_of(today)
    weeks = [this_week - dt.timedelta(days=7 * n) for n in range(WEEKS_SHOWN)]
    mine = _own_grids(user, FIELDWORK_REPORTS_SUBMIT)
    started = set(
        WeeklyReport.objects.filter(grid__in=mine, week_start__in=weeks).values_list("grid_id", "week_start")
    )
    to_start = [(grid, week) for grid in mine for week in weeks[:3] if (grid.code, week) not in started]
    return render(
        request,
        "web/fieldwork/reports.html",
        {
            "reports": list(found.order_by("-week_start", "grid_id")[:LISTED]),
            "to_start": to_start,
            "status": status,
            "statuses": ReportStatus.choices,
            "may_review": bool(scope_codes(user, FIELDWORK_REPORTS_REVIEW)),
        },
    )


@requires(FIELDWORK_REPORTS_SUBMIT)
@require_POST
def report_start(request: HttpRequest) -> HttpResponse:
    try:
        report = services.open_report(
            request.user, request.POST.get("grid", ""), request.POST.get("week", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("web:fieldwork_reports")
    return redirect("web:fieldwork_weekly_report", pk=report.pk)


@requires(FIELDWORK_REPORTS_VIEW)
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = services.get_report(user, pk)
    figures = services.current_figures(report)
    parts = [
        {"part": part, "figures": labelled(figures.get(part.line.code, {}))}
        for part in report.lines.select_related("line")
    ]
    editable = report.status in services.EDITABLE and can(user, FIELDWORK_REPORTS_SUBMIT, report.grid_id)
    reviewer = can(user, FIELDWORK_REPORTS_REVIEW, report.grid_id)
    return render(
        request,
        "web/fieldwork/weekly_report.html",
        {
            "report": report,
            "parts": parts,
            "general": labelled(figures.get("", {})),
            "editable": editable,
            "may_review": reviewer and report.status == ReportStatus.SUBMITTED,
            "may_forward": reviewer
            and report.status == ReportStatus.ACCEPTED
            and any(p["part"].forwarded_at is None for p in parts),
            "history": report.events.select_related("actor"),
            "overdue": report.submitted_at is None and timezone.now() > report.deadline,
        },
    )


@requires(FIELDWORK_REPORTS_VIEW)
@require_POST
def report_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user, post = request.user, request.POST
    report = services.get_report(user, pk)  # 404 outside scope, before anything else
    if action == "save" or action == "submit":
        texts = {
            key[5:]: value[: services.TEXT_MAX] for key, value in post.items() if key.startswith("text-")
        }
        version = int(post["version"]) if post.get("version", "").isdigit() else None
        saved = not texts and post.get("summary") is None
        if not saved:
            saved = _attempt(
                request,
                lambda: services.save_texts(
                    user, report.pk, texts=texts, summary=post.get("summary"), expected_version=version
                ),
                _("Saved."),
            )
        if saved and action == "submit":
            _attempt(request, lambda: services.submit_report(user, report.pk), _("The report was submitted."))
    elif action == "accept":
        _attempt(
            request,
            lambda: services.accept_report(user, report.pk, note=post.get("note", "")),
            _("Accepted."),
        )
    elif action == "return":
        _attempt(
            request,
            lambda: services.return_report(user, report.pk, note=post.get("note", "")),
            _("Returned to the grid worker."),
        )
    elif action == "forward":
        lines = post.getlist("line")
        _attempt(
            request, lambda: services.forward_report(user, report.pk, lines=lines or None), _("Forwarded.")
        )
    else:
        raise Http404
    return redirect("web:fieldwork_weekly_report", pk=report.pk)


@requires(FIELDWORK_REPORTS_REVIEW)
@require_GET
def lapses(request: HttpRequest) -> HttpResponse:
    """Late and missing reports as recorded, and the grids whose report of the last due week is not
    in now (whether or not the deadline job has run yet)."""
    user = request.user
    week = services.last_due_week()
    codes = scope_codes(user, FIELDWORK_REPORTS_REVIEW)
    query = prefix_q("code", codes)
    grids = Area.objects.grids().filter(query) if query is not None else Area.objects.none()
    in_now = WeeklyReport.objects.filter(week_start=week, submitted_at__isnull=False).values("grid_id")
    return render(
        request,
        "web/fieldwork/lapses.html",
        {
            "week": week,
            "deadline": services.deadline_of(week),
            "missing_now": list(grids.exclude(code__in=in_now).order_by("code")[:LISTED]),
            "lapses": list(
                ReportLapse.objects.visible_to(user)
                .filter(prefix_q("grid__code", codes))
                .select_related("grid")[:LISTED]
            ),
            "kinds": dict(LapseKind.choices),
        },
    )


@signed_in
@require_GET
def forwarded(request: HttpRequest) -> HttpResponse:
    """A counterpart's inbox of report parts (department handlers, street and district offices)."""
    parts = [
        {"part": part, "figures": labelled(part.figures)}
        for part in services.forwarded_to(request.user)[:LISTED]
    ]
    return render(request, "web/fieldwork/forwarded.html", {"parts": parts})


# --- the work log -------------------------------------------------------------------------------


def _day(raw: str | None) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw or "")
    except ValueError:
        return timezone.localdate()
    return min(max(day, EARLIEST_DATE), timezone.localdate())


@requires(FIELDWORK_REPORTS_RECORD)
def worklog_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    grids = _own_grids(user, FIELDWORK_REPORTS_RECORD)
    grid = request.POST.get("grid") or request.GET.get("grid") or (grids[0].code if grids else "")
    day = _day(request.POST.get("day") or request.GET.get("day"))
    if request.method == "POST":
        text, line = request.POST.get("text", ""), request.POST.get("line", "")
        if _attempt(
            request, lambda: worklog.add_line(user, day, text, grid_code=grid, line_code=line), _("Saved.")
        ):
            return redirect(f"{request.path}?day={day.isoformat()}&grid={grid}")
    log = worklog.day_log(user, day, grid_code=grid)
    return render(
        request,
        "web/fieldwork/worklog.html",
        {
            "log": log,
            "grids": grids,
            "lines": BusinessLine.objects.filter(active=True),
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
        },
    )


# --- meetings, tasks, the problem-feedback register ---------------------------------------------


def _attendees(post: Any) -> list[dict[str, Any]]:
    """Team members ticked by account, plus one name per line ("name" or "name, role")."""
    rows: list[dict[str, Any]] = [
        {"user": value, "team_role": post.get(f"role-{value}", TeamRole.OTHER)}
        for value in post.getlist("user")
    ]
    for raw in (post.get("names") or "").splitlines()[:30]:
        name, _sep, role = raw.partition(",")
        if name.strip():
            role = role.strip() if role.strip() in TeamRole.values else TeamRole.VOLUNTEER
            rows.append({"name": name.strip()[:50], "team_role": role})
    return rows


@requires(FIELDWORK_REPORTS_VIEW)
def meetings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        # Refused before the page is drawn again: a refusal shows none of the meetings below.
        if not has_capability(user, FIELDWORK_REPORTS_RECORD):
            raise PermissionDenied
        post = request.POST
        made: list[Meeting] = []

        def record() -> None:
            made.append(
                meetings.record_meeting(
                    user,
                    post.get("grid", ""),
                    held_on=post.get("held_on", ""),
                    title=post.get("title", ""),
                    minutes=post.get("minutes", "")[:20000],
                    attendees=_attendees(post),
                )
            )

        if _attempt(request, record, _("The meeting was recorded.")):
            return redirect("web:fieldwork_meeting", pk=made[0].pk)
    grids = _own_grids(user, FIELDWORK_REPORTS_RECORD)
    team = meetings.team_of(grids[0].code) if grids else []
    return render(
        request,
        "web/fieldwork/meetings.html",
        {
            "meetings": list(Meeting.objects.visible_to(user).select_related("grid")[:LISTED]),
            "grids": grids,
            "team": team,
            "roles": TeamRole.choices,
            "today": timezone.localdate(),
            "tasks": list(
                Task.objects.visible_to(user).filter(status=Task.Status.OPEN).select_related("owner")[:LISTED]
            ),
        },
    )


@requires(FIELDWORK_REPORTS_VIEW)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = meetings.get_meeting(user, pk)
    if request.method == "POST":
        post = request.POST
        _attempt(
            request,
            lambda: meetings.add_decision(
                user,
                meeting.pk,
                text=post.get("text", ""),
                outcome=post.get("outcome", Decision.Outcome.NOTE),
                category=post.get("category", ""),
                owner=post.get("owner") or None,
                due_on=post.get("due_on") or None,
            ),
            _("The decision was recorded."),
        )
        return redirect("web:fieldwork_meeting", pk=meeting.pk)
    return render(
        request,
        "web/fieldwork/meeting.html",
        {
            "meeting": meeting,
            "attendees": meeting.attendees.select_related("user"),
            "decisions": meeting.decisions.select_related("case", "task", "task__owner"),
            "may_record": can(user, FIELDWORK_REPORTS_RECORD, meeting.grid_id),
            "team": meetings.team_of(meeting.grid_id),
            "outcomes": Decision.Outcome.choices,
            "categories": Category.objects.active().leaves().order_by("code"),
        },
    )


@requires(FIELDWORK_REPORTS_VIEW)
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    _attempt(
        request,
        lambda: meetings.complete_task(request.user, pk, note=request.POST.get("note", "")),
        _("Done."),
    )
    return redirect("web:home" if request.POST.get("back") == "home" else "web:fieldwork_meetings")


@requires(FIELDWORK_REPORTS_VIEW)
def problems(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        post = request.POST
        _attempt(
            request,
            lambda: meetings.raise_problem(
                user,
                post.get("grid", ""),
                subject=post.get("subject", ""),
                detail=post.get("detail", "")[:4000],
            ),
            _("The problem was raised to the community."),
        )
        return redirect("web:fieldwork_problems")
    status = request.GET.get("status", "")
    found = Feedback.objects.visible_to(user).select_related("grid")
    if status in Feedback.Status.values:
        found = found.filter(status=status)
    rows = [
        {
            "problem": p,
            "may_answer": p.status != Feedback.Status.CLOSED
            and can(user, FIELDWORK_REPORTS_REVIEW, p.grid_id),
            "may_close": p.status == Feedback.Status.ANSWERED
            and can(user, FIELDWORK_REPORTS_RECORD, p.grid_id),
        }
        for p in found[:LISTED]
    ]
    return render(
        request,
        "web/fieldwork/problems.html",
        {
            "rows": rows,
            "status": status,
            "statuses": Feedback.Status.choices,
            "grids": _own_grids(user, FIELDWORK_REPORTS_RECORD),
        },
    )


@requires(FIELDWORK_REPORTS_VIEW)
@require_POST
def problem_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    if action == "answer":
        _attempt(
            request,
            lambda: meetings.answer_problem(user, pk, answer=request.POST.get("answer", "")),
            _("Answered."),
        )
    elif action == "close":
        _attempt(request, lambda: meetings.close_problem(user, pk), _("Closed."))
    else:
        raise Http404
    return redirect("web:fieldwork_problems")

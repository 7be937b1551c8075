"""The weekly report of a grid: assemble, edit, submit by the deadline, review, forward; lapses.

Every write here checks the state and the actor's capability at the report's grid, runs in a
transaction with the report locked, writes a ReportEvent (the report's history), and notifies
after commit (gridwork.notify). Figures come from reports_sources, never from the caller.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import (
    FIELDWORK_REPORTS_REVIEW,
    FIELDWORK_REPORTS_SUBMIT,
    active_assignments,
    department_scopes,
)
from gridwork.accounts.models import Role, RoleAssignment
from gridwork.accounts.permissions import require
from gridwork.areas.models import Area, Level
from gridwork.core import audit
from gridwork.core.bounds import EARLIEST_DATE
from gridwork.core.errors import Conflict, NotFound
from gridwork.core.scoping import code_range_q
from gridwork.fieldwork import reports_sources as sources
from gridwork.fieldwork.reports_models import (
    BusinessLine,
    LapseKind,
    ReportEvent,
    ReportLapse,
    ReportStatus,
    WeeklyReport,
    WeeklyReportLine,
)
from gridwork.notify.recipients import area_staff, department_handlers
from gridwork.notify.services import notify_people

EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
OFFICE_ROLES = frozenset({Role.STREET_STAFF, Role.DISTRICT_STAFF})
TEXT_MAX = 4000


class AlreadySubmitted(Conflict):
    """The report is in already (submitted or accepted): a second submission is refused."""


# --- weeks and deadlines ------------------------------------------------------------------------


def week_of(day: dt.date) -> dt.date:
    """The Monday of the day's week."""
    return day - dt.timedelta(days=day.weekday())


def week_bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The week's first moment and the next week's first moment, in the district's time zone."""
    start = timezone.make_aware(dt.datetime.combine(week_start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time.min))
    return start, end


def deadline_of(week_start: dt.date) -> dt.datetime:
    hours, _sep, minutes = settings.FIELDWORK_REPORT_DUE_TIME.partition(":")
    due_day = week_start + dt.timedelta(days=settings.FIELDWORK_REPORT_DUE_DAYS)
    return timezone.make_aware(dt.datetime.combine(due_day, dt.time(int(hours), int(minutes or 0))))


def last_due_week(now: dt.datetime | None = None) -> dt.date:
    """The latest week whose deadline has passed."""
    now = now or timezone.now()
    week = week_of(timezone.localdate(now))
    while deadline_of(week) > now:
        week -= dt.timedelta(days=7)
    return week


def _clean_week(week_start: Any, now: dt.datetime) -> dt.date:
    if isinstance(week_start, str):
        try:
            week_start = dt.date.fromisoformat(week_start)
        except ValueError:
            raise ValidationError({"week_start": _("Enter a valid date.")}) from None
    if not isinstance(week_start, dt.date) or week_start.weekday() != 0:
        raise ValidationError({"week_start": _("A report's week starts on a Monday.")})
    if week_start < EARLIEST_DATE:
        raise ValidationError({"week_start": _("Enter a valid date.")})
    if week_start > timezone.localdate(now):
        raise ValidationError({"week_start": _("This week has not begun yet.")})
    return week_start


# --- assembling ---------------------------------------------------------------------------------


def assemble(grid_code: str, week_start: dt.date) -> dict[str, dict[str, int]]:
    """The week's figures by business line code ("" for the whole grid), counted from the records."""
    start, end = week_bounds(week_start)
    return sources.week_figures(grid_code, start, end)


def current_figures(report: WeeklyReport) -> dict[str, dict[str, int]]:
    """Frozen once submitted; a draft (or a returned report) shows what the records say now."""
    if report.status in EDITABLE:
        return assemble(report.grid_id, report.week_start)
    frozen = {part.line.code: part.figures for part in report.lines.all()}
    frozen[""] = report.figures
    return frozen


def _history(
    report: WeeklyReport, action: str, actor: Any, now: dt.datetime, note: str = "", **detail: Any
) -> None:
    ReportEvent.objects.create(
        report=report, action=action, actor=audit._actor(actor), at=now, note=note, detail=detail
    )


def _get(actor: Any, report_id: Any, *, lock: bool = False) -> WeeklyReport:
    query = WeeklyReport.objects.visible_to(actor)
    if lock:
        query = query.select_for_update()
    try:
        report = query.filter(pk=int(report_id)).first()
    except (TypeError, ValueError):
        report = None
    if report is None:
        raise NotFound(_("No such report."))
    return report


def get_report(actor: Any, report_id: Any) -> WeeklyReport:
    return _get(actor, report_id)


def open_report(
    actor: Any, grid_code: str, week_start: Any, *, now: dt.datetime | None = None
) -> WeeklyReport:
    """The grid's report of the week, started (with one part per active business line) if new."""
    now = now or timezone.now()
    week = _clean_week(week_start, now)
    grid = (
        Area.objects.visible_to(actor).filter(code=grid_code, level=Level.GRID).first() if grid_code else None
    )
    if grid is None:
        raise NotFound(_("No such grid."))
    require(actor, FIELDWORK_REPORTS_SUBMIT, grid.code)
    existing = WeeklyReport.objects.filter(grid_id=grid.code, week_start=week).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = WeeklyReport.objects.create(
                grid_id=grid.code, week_start=week, author=actor, deadline=deadline_of(week), created_at=now
            )
            WeeklyReportLine.objects.bulk_create(
                [
                    WeeklyReportLine(report=report, line=line)
                    for line in BusinessLine.objects.filter(active=True)
                ]
            )
            _history(report, ReportEvent.Action.CREATE, actor, now)
    except IntegrityError:  # started at the same moment by another request: that one stands
        return WeeklyReport.objects.get(grid_id=grid.code, week_start=week)
    return report


def save_texts(
    actor: Any,
    report_id: Any,
    *,
    texts: dict[str, str] | None = None,
    summary: str | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WeeklyReport:
    """The worker's words per business line (by line code) and for the whole week."""
    now = now or timezone.now()
    texts = texts or {}
    with transaction.atomic():
        report = _get(actor, report_id, lock=True)
        require(actor, FIELDWORK_REPORTS_SUBMIT, report.grid_id)
        if report.status not in EDITABLE:
            raise AlreadySubmitted(
                _("This report has been submitted; it can be changed only after a return.")
            )
        if expected_version is not None and expected_version != report.version:
            raise Conflict(_("The report was changed meanwhile; reload it and try again."))
        parts = {part.line.code: part for part in report.lines.select_related("line")}
        errors: dict[str, list[str]] = {}
        for code, text in texts.items():
            if code not in parts:
                errors.setdefault("texts", []).append(_("Unknown business line: %(code)s") % {"code": code})
            elif len(text or "") > TEXT_MAX:
                errors.setdefault("texts", []).append(
                    _("A part may be at most %(n)d characters.") % {"n": TEXT_MAX}
                )
        if summary is not None and len(summary) > TEXT_MAX:
            errors.setdefault("summary", []).append(
                _("A part may be at most %(n)d characters.") % {"n": TEXT_MAX}
            )
        if errors:
            raise ValidationError(errors)
        changed = []
        for code, text in texts.items():
            part = parts[code]
            if part.text != (text or "").strip():
                part.text = (text or "").strip()
                changed.append(part)
        WeeklyReportLine.objects.bulk_update(changed, ["text"])
        if summary is not None:
            report.summary = summary.strip()
        report.version += 1
        report.save(update_fields=["summary", "version"])
        _history(report, ReportEvent.Action.EDIT, actor, now, lines=sorted(p.line.code for p in changed))
    return report


def submit_report(actor: Any, report_id: Any, *, now: dt.datetime | None = None) -> WeeklyReport:
    """Freeze the figures and hand the report to the community; late if past the deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        report = _get(actor, report_id, lock=True)
        require(actor, FIELDWORK_REPORTS_SUBMIT, report.grid_id)
        if report.status not in EDITABLE:
            raise AlreadySubmitted(_("This report has already been submitted."))
        figures = assemble(report.grid_id, report.week_start)
        parts = list(report.lines.select_related("line"))
        for part in parts:
            part.figures = figures.get(part.line.code, {})
        WeeklyReportLine.objects.bulk_update(parts, ["figures"])
        first = report.submitted_at is None
        report.figures = figures.get("", {})
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = now
        if first and now > report.deadline:
            report.late = True
            ReportLapse.objects.get_or_create(
                grid_id=report.grid_id,
                week_start=report.week_start,
                kind=LapseKind.LATE,
                defaults={"recorded_at": now, "report": report},
            )
        ReportLapse.objects.filter(grid_id=report.grid_id, week_start=report.week_start).update(report=report)
        report.version += 1
        report.save()
        _history(report, ReportEvent.Action.SUBMIT, actor, now, late=report.late)
        community = report.grid_id[:12]
        title = _("Weekly report of grid %(grid)s, week of %(week)s, submitted") % {
            "grid": report.grid_id,
            "week": report.week_start.isoformat(),
        }
        transaction.on_commit(lambda: notify_people(area_staff(community), title))
    return report


def _review(actor: Any, report_id: Any, now: dt.datetime | None) -> tuple[WeeklyReport, dt.datetime]:
    report = _get(actor, report_id, lock=True)
    require(actor, FIELDWORK_REPORTS_REVIEW, report.grid_id)
    if report.status != ReportStatus.SUBMITTED:
        raise Conflict(_("Only a submitted report can be reviewed."))
    return report, now or timezone.now()


def accept_report(
    actor: Any, report_id: Any, *, note: str = "", now: dt.datetime | None = None
) -> WeeklyReport:
    with transaction.atomic():
        report, now = _review(actor, report_id, now)
        report.status, report.reviewed_by, report.reviewed_at = ReportStatus.ACCEPTED, actor, now
        report.review_note = note.strip()[:1000]
        report.version += 1
        report.save()
        _history(report, ReportEvent.Action.ACCEPT, actor, now, report.review_note)
    return report


def return_report(actor: Any, report_id: Any, *, note: str, now: dt.datetime | None = None) -> WeeklyReport:
    """Back to the worker with what to change; they edit and submit again."""
    note = (note or "").strip()
    with transaction.atomic():
        report, now = _review(actor, report_id, now)
        if len(note) < 2:
            raise ValidationError({"note": _("Say what should be changed.")})
        report.status, report.reviewed_by, report.reviewed_at = ReportStatus.RETURNED, actor, now
        report.review_note = note[:1000]
        report.version += 1
        report.save()
        _history(report, ReportEvent.Action.RETURN, actor, now, report.review_note)
        author, title = (
            report.author_id,
            _("Your weekly report of the week of %(week)s was returned")
            % {"week": report.week_start.isoformat()},
        )
        transaction.on_commit(lambda: notify_people({author}, title, note))
    return report


# --- forwarding to the counterparts -------------------------------------------------------------


def counterpart_people(line: BusinessLine, grid_code: str) -> set[int]:
    """Who receives a business line's part of a grid's report."""
    if line.counterpart_user_id:
        return {line.counterpart_user_id}
    if line.counterpart_department:
        return department_handlers(line.counterpart_department, grid_code)
    if line.counterpart_role:
        above = [grid_code[:n] for n in (6, 9, 12, 15)]
        return set(
            RoleAssignment.objects.active()
            .filter(role=line.counterpart_role, area_id__in=above, user__is_active=True)
            .values_list("user_id", flat=True)
        )
    return set()


def forward_report(
    actor: Any, report_id: Any, *, lines: list[str] | None = None, now: dt.datetime | None = None
) -> list[WeeklyReportLine]:
    """Forward the accepted report's parts (all not yet forwarded, or the named lines) to their
    counterparts, each in their inbox."""
    now = now or timezone.now()
    with transaction.atomic():
        report = _get(actor, report_id, lock=True)
        require(actor, FIELDWORK_REPORTS_REVIEW, report.grid_id)
        if report.status != ReportStatus.ACCEPTED:
            raise Conflict(_("Only an accepted report can be forwarded."))
        parts = report.lines.select_related("line").filter(forwarded_at__isnull=True)
        if lines:
            parts = parts.filter(line__code__in=lines)
        parts = list(parts)
        if not parts:
            raise Conflict(_("These parts have been forwarded already."))
        sends: list[tuple[set[int], str]] = []
        for part in parts:
            part.forwarded_at, part.forwarded_by = now, actor
            people = counterpart_people(part.line, report.grid_id)
            title = _("%(line)s: weekly report of grid %(grid)s, week of %(week)s") % {
                "line": part.line.name,
                "grid": report.grid_id,
                "week": report.week_start.isoformat(),
            }
            sends.append((people, title))
        WeeklyReportLine.objects.bulk_update(parts, ["forwarded_at", "forwarded_by"])
        _history(report, ReportEvent.Action.FORWARD, actor, now, lines=[p.line.code for p in parts])

        def send() -> None:
            for people, title in sends:
                notify_people(people, title)

        transaction.on_commit(send)
    return parts


def forwarded_to(user: Any) -> Any:
    """The report parts forwarded to this user as a counterpart: a department's handlers (above the
    grid), the staff of a role at the grid's street or district, or the one named user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return WeeklyReportLine.objects.none()
    query = Q(line__counterpart_user_id=user.pk)
    for area_code, department in department_scopes(user):
        query |= Q(line__counterpart_department=department) & code_range_q("report__grid__code", area_code)
    held = {(a.role, a.area_id) for a in active_assignments(user) if a.role in OFFICE_ROLES}
    for role, area_code in sorted(held):
        query |= Q(
            line__counterpart_role=role, line__counterpart_department="", line__counterpart_user__isnull=True
        ) & code_range_q("report__grid__code", area_code)
    return (
        WeeklyReportLine.objects.filter(forwarded_at__isnull=False)
        .filter(query)
        .select_related("report", "line", "report__grid")
        .order_by("-forwarded_at", "-id")
    )


# --- late and missing ---------------------------------------------------------------------------


def record_missing(week_start: dt.date | None = None, *, now: dt.datetime | None = None) -> int:
    """Record every grid without a submitted report at the week's deadline (default: the latest
    week past its deadline). Run by the system (`gridwork fieldwork_lapses`); idempotent."""
    now = now or timezone.now()
    week = week_start or last_due_week(now)
    deadline = deadline_of(week)
    if deadline > now:
        return 0
    # In by the deadline: submitted, and not late (a report's first submission sets `late` for good;
    # a resubmission after a return moves submitted_at past the deadline without being late).
    in_time = WeeklyReport.objects.filter(week_start=week, submitted_at__isnull=False, late=False).values(
        "grid_id"
    )
    recorded = ReportLapse.objects.filter(week_start=week, kind=LapseKind.MISSING).values("grid_id")
    missing = (
        Area.objects.grids()
        .exclude(code__in=in_time)
        .exclude(code__in=recorded)
        .values_list("code", flat=True)
    )
    lapses = [
        ReportLapse(grid_id=code, week_start=week, kind=LapseKind.MISSING, recorded_at=now)
        for code in missing
    ]
    ReportLapse.objects.bulk_create(lapses, ignore_conflicts=True)
    return len(lapses)


def record_missing_now(now: dt.datetime | None = None) -> int:
    """The periodic check's hook: the latest week past its deadline (idempotent, cheap to repeat)."""
    return record_missing(now=now)


def ensure_reviewer(actor: Any, area_code: str) -> None:
    """For the community's pages: the lapse list and the review queue."""
    if not area_code:
        raise PermissionDenied(_("You may not do this in this area."))
    require(actor, FIELDWORK_REPORTS_REVIEW, area_code)

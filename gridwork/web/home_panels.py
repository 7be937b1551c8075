"""What each role's home page shows, read in a fixed number of queries whatever the cases.

Every case read starts from the queues of gridwork.cases.queues (so from `Case.objects.visible_to`),
every audit read from `audit_events_visible_to`; counts of the register come from registry.stats
(the home view). A panel reads its rows once (a page of lines, one aggregate, one grouped count)
and never once per case or per area. The caller reads the work calendar once for all panels
(`calendar.one_read`), as the deadline colours need it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language

from gridwork.accounts.access import (
    FIELDWORK_PATROL,
    FIELDWORK_PATROL_VIEW,
    FIELDWORK_REPORTS_REVIEW,
    can,
    has_capability,
    scope_codes,
)
from gridwork.areas.models import Area, Level
from gridwork.cases import calendar, queues
from gridwork.cases.models import OPEN_STATUSES, Case, Status
from gridwork.core.language import choice_labels, pick
from gridwork.core.models import AuditEvent
from gridwork.core.scoping import code_range_q, prefix_q
from gridwork.fieldwork import reports_services as fw_reports
from gridwork.fieldwork.patrols_models import Patrol, PatrolStatus, started_on
from gridwork.fieldwork.reports_models import ReportStatus, Task, WeeklyReport, WorkLogLine
from gridwork.fieldwork.reports_worklog import own_grids
from gridwork.fieldwork.visit_due import due_rows
from gridwork.fieldwork.visit_models import Memo
from gridwork.fieldwork.visit_plan import worker_grids
from gridwork.web.audit_scope import audit_events_visible_to
from gridwork.web.links import record_link

LINES = 8  # cases listed per panel: the most urgent; the queue has the rest
LATEST_AUDIT = 10
FORWARDED_DAYS = 30  # report parts forwarded to a counterpart, counted on their home this far back
# Colouring a case costs working-time arithmetic in Python: beyond this many open cases in an
# area the light is left out (the grouped counts below still show what is open and late).
LIGHT_UP_TO = 3000
LINE_FIELDS = (
    "id",
    "title",
    "tracking_code",
    "status",
    "overdue",
    "step_deadline",
    "step_started_at",
    "step_limit_minutes",
)
LIGHT_FIELDS = ("status", "overdue", "step_deadline", "step_started_at", "step_limit_minutes")


class _Row:
    """A row of values as calendar.time_status reads a case."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__.update(row)
        self.is_open = row["status"] in OPEN_STATUSES


def late_q(now: dt.datetime) -> Q:
    """Late as the overdue queue counts it: flagged by the job, or past the step deadline already."""
    return ~Q(status=Status.SUSPENDED) & (Q(overdue=True) | Q(step_deadline__lt=now))


def case_lines(cases: QuerySet[Case], now: dt.datetime, limit: int = LINES) -> list[dict[str, Any]]:
    """The most urgent cases first (the earliest step deadline; none last), ready to show."""
    ordered = cases.order_by(F("step_deadline").asc(nulls_last=True), "-created_at", "-id")
    rows = list(
        ordered.values(
            *LINE_FIELDS,
            category_zh=F("category__name_zh"),
            category_en=F("category__name_en"),
            grid_name=F("grid__name"),
        )[:limit]
    )
    labels, language, link = choice_labels(Status), get_language(), record_link("web:case")
    today = timezone.localdate(now)
    lines = []
    for row in rows:
        deadline = timezone.localtime(row["step_deadline"]) if row["step_deadline"] else None
        lines.append(
            {
                "url": link(row["id"]),
                "title": row["title"],
                "tracking_code": row["tracking_code"],
                "status_label": labels.get(row["status"], row["status"]),
                "category_name": pick(row["category_zh"], row["category_en"], language),
                "grid_name": row["grid_name"],
                "colour": calendar.time_status(_Row(row), now),
                "due": (
                    deadline.strftime("%H:%M")
                    if deadline.date() == today
                    else deadline.strftime("%m-%d %H:%M")
                )
                if deadline
                else "",
                "due_today": bool(deadline and deadline.date() == today),
            }
        )
    return lines


def work_counts(cases: QuerySet[Case], now: dt.datetime) -> dict[str, int]:
    """How many cases wait, how many are late, how many fall due later today: one aggregate."""
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=0)
    return cases.order_by().aggregate(
        waiting=Count("pk"),
        late=Count("pk", filter=late_q(now)),
        due_today=Count(
            "pk", filter=Q(step_deadline__gte=now, step_deadline__lte=end_of_day) & ~Q(overdue=True)
        ),
    )


def own_work(user: Any, now: dt.datetime) -> dict[str, Any]:
    """What waits on the user (in person, their area's staff or their department): lines and counts."""
    lines = case_lines(queues.queue(user, "mine", now), now)
    return {"lines": lines, **work_counts(queues.queue(user, "mine", now, paged=False), now)}


def _lights(open_cases: QuerySet[Case], now: dt.datetime) -> dict[str, int] | None:
    rows = list(open_cases.order_by().values(*LIGHT_FIELDS)[: LIGHT_UP_TO + 1])
    if len(rows) > LIGHT_UP_TO:
        return None
    lights = {"green": 0, "yellow": 0, "red": 0, "paused": 0}
    for row in rows:
        colour = calendar.time_status(_Row(row), now)
        lights[colour or "paused"] += 1
    return lights


def area_glance(user: Any, area: Area, now: dt.datetime) -> dict[str, Any]:
    """An area at a glance: its queue by traffic light, what is late, and the areas below it."""
    in_area = code_range_q("grid_id", area.code)
    open_cases = queues.queue(user, "area", now, paged=False).filter(in_area)
    late = queues.queue(user, "overdue", now).filter(in_area)
    late_lines = case_lines(late, now)
    child_length = len(area.code) + 3
    by_child: dict[str, dict[str, int]] = {}
    per_grid = (
        open_cases.order_by()
        .values("grid_id")
        .annotate(open=Count("pk"), late=Count("pk", filter=late_q(now)))
    )
    for row in per_grid:
        child = by_child.setdefault(row["grid_id"][:child_length], {"open": 0, "late": 0})
        child["open"] += row["open"]
        child["late"] += row["late"]
    children = [
        {"code": code, "name": name, **by_child.get(code, {"open": 0, "late": 0})}
        for code, name in Area.objects.filter(parent_id=area.pk).order_by("code").values_list("code", "name")
    ]
    total_open = sum(c["open"] for c in by_child.values())
    total_late = sum(c["late"] for c in by_child.values())
    return {
        "lights": _lights(open_cases, now)
        if total_open
        else {"green": 0, "yellow": 0, "red": 0, "paused": 0},
        "open": total_open,
        "late": total_late,
        "late_lines": late_lines,
        "children": children,
    }


def _kind_label(object_type: str) -> str:
    """ "registry.person" → the model's name in the active language (the label itself if unknown)."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def latest_audit(user: Any) -> list[dict[str, Any]]:
    """The latest reveals and exports in what the auditor audits (who, when, what, why)."""
    actions = dict(choice_labels(AuditEvent.Action))
    rows = (
        audit_events_visible_to(user)
        .filter(action__in=[AuditEvent.Action.REVEAL, AuditEvent.Action.EXPORT])
        .order_by("-at", "-id")
        .values("at", "actor_label", "action", "object_type", "area_code", "reason", "detail")[:LATEST_AUDIT]
    )
    return [
        {
            "at": timezone.localtime(row["at"]).strftime("%Y-%m-%d %H:%M"),
            "who": row["actor_label"] or "–",
            "action": row["action"],
            "action_label": actions.get(row["action"], row["action"]),
            "what": _kind_label(row["object_type"]),
            "area_code": row["area_code"],
            "reason": row["reason"],
            "rows": (row["detail"] or {}).get("rows"),
            "masked": (row["detail"] or {}).get("masked"),
        }
        for row in rows
    ]


def patrol_panel(user: Any, areas: list[Area], now: dt.datetime) -> dict[str, Any] | None:
    """The patrol panel: for one who walks a grid, the patrol under way or today's; for community
    and street staff, how many of their grids were patrolled today. One read for each part."""
    walker = has_capability(user, FIELDWORK_PATROL)
    today = timezone.localdate(now)
    visible = Patrol.objects.visible_to(user)
    panel: dict[str, Any] = {"walker": walker, "open": None, "today": 0, "today_m": 0, "areas": []}
    if walker:
        on_day = started_on(today)
        mine = visible.filter(worker_id=user.pk).aggregate(
            n=Count("pk", filter=on_day),
            metres=Sum("length_m", filter=on_day),
            open_since=Max("started_at", filter=Q(status=PatrolStatus.OPEN)),
        )
        panel["today"], panel["today_m"] = mine["n"], mine["metres"] or 0
        panel["open"] = {"started_at": mine["open_since"]} if mine["open_since"] else None
    watched = [
        a
        for a in areas
        if a.level in (Level.STREET, Level.COMMUNITY) and can(user, FIELDWORK_PATROL_VIEW, a.code)
    ]
    if watched:
        walked = visible.on_day(today).filter(grid_id=OuterRef("code"))
        grids = list(
            Area.objects.filter(level=Level.GRID)
            .filter(prefix_q("code", [a.code for a in watched]))
            .annotate(walked=Exists(walked))
            .values_list("code", "walked")
        )
        for area in watched:
            under = [walked for code, walked in grids if code.startswith(area.code)]
            panel["areas"].append(
                {"code": area.code, "name": area.name, "total": len(under), "patrolled": sum(under)}
            )
    return panel if walker or panel["areas"] else None


def visits_panel(user: Any) -> dict[str, Any] | None:
    """A grid worker's visits today: due, overdue, never visited, and memos not yet acted on
    (two queries for the due list, one count). None for those who record no visits."""
    grids = worker_grids(user)
    if not grids:
        return None
    today = timezone.localdate()
    rows = [
        row
        for grid in grids
        for row in due_rows(user, area=grid, today=today, with_tags=False)
        if row.due_on <= today
    ]
    return {
        "due": len(rows),
        "overdue": sum(1 for row in rows if row.overdue),
        "never": sum(1 for row in rows if row.never_visited),
        "memos_open": Memo.objects.visible_to(user)
        .filter(author_id=user.pk, became_case__isnull=True, became_visit__isnull=True)
        .filter(became_register_note="")
        .count(),
    }


def fieldwork_reports(user: Any, now: dt.datetime) -> dict[str, Any] | None:
    """Field work's reports at a glance: for the grid team last week's report, today's log lines
    and their open tasks; for the community the reports to review and those not in. A fixed
    handful of queries."""
    grids = own_grids(user)
    reviews = scope_codes(user, FIELDWORK_REPORTS_REVIEW)
    since = now - dt.timedelta(days=FORWARDED_DAYS)
    forwarded = fw_reports.forwarded_to(user).filter(forwarded_at__gte=since).count()
    if not grids and not reviews and not forwarded:
        return None
    today = timezone.localdate(now)
    last_week = fw_reports.week_of(today) - dt.timedelta(days=7)
    panel: dict[str, Any] = {
        "last_week": last_week,
        "deadline": fw_reports.deadline_of(last_week),
        "forwarded": forwarded,
        "team": bool(grids or reviews),
    }
    if grids:
        found = {r.grid_id: r for r in WeeklyReport.objects.filter(grid_id__in=grids, week_start=last_week)}
        panel["reports"] = [{"grid": code, "report": found.get(code)} for code in grids]
        panel["log_lines"] = WorkLogLine.objects.filter(log__worker=user, log__day=today).count()
        panel["tasks"] = list(
            Task.objects.filter(owner=user, status=Task.Status.OPEN).order_by("due_on")[:LINES]
        )
    if reviews:
        query = prefix_q("grid__code", reviews)
        due_week = fw_reports.last_due_week(now)
        all_grids = Area.objects.grids().filter(prefix_q("code", reviews))
        in_now = WeeklyReport.objects.filter(week_start=due_week, submitted_at__isnull=False).values(
            "grid_id"
        )
        panel["to_review"] = WeeklyReport.objects.filter(query, status=ReportStatus.SUBMITTED).count()
        panel["due_week"] = due_week
        panel["missing"] = all_grids.exclude(code__in=in_now).count()
    return panel

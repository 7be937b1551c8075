"""Where the figures of work logs and weekly reports come from: one list of sources per period.

A source counts records of one kind; the work log and the weekly report only add up what the
sources return, so a new kind of field work (patrols, visits, memos: the other parts of field
work) plugs in by appending one function to DAY_SOURCES and one to WEEK_SOURCES, with its figure
names in FIGURE_LABELS. Nothing here writes.

- A day source: `(user_id, grid_code, start, end) -> {figure: count}`, the worker's own records.
- A week source: `(grid_code, start, end) -> [(line_code, figure, count)]`, the grid's records;
  line_code "" for a figure of the whole grid rather than of one business line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gridwork.cases.models import Action, Case, CaseEvent
from gridwork.fieldwork.reports_models import (
    CategoryLine,
    Feedback,
    Meeting,
    MeetingAttendee,
    Task,
)

DaySource = Callable[[int, str, dt.datetime, dt.datetime], dict[str, int]]
WeekSource = Callable[[str, dt.datetime, dt.datetime], Iterable[tuple[str, str, int]]]

FIGURE_LABELS = {
    "cases_reported": _("cases reported"),
    "cases_closed": _("cases closed"),
    "cases_acted": _("cases worked on"),
    "meetings": _("meetings"),
    "decisions": _("decisions"),
    "tasks_set": _("tasks set"),
    "tasks_done": _("tasks done"),
    "problems_raised": _("problems raised to the community"),
    "problems_answered": _("problems answered"),
}


def category_lines() -> list[tuple[str, str]]:
    """(prefix, line code), longest prefix first: the first that matches a category code wins."""
    rows = CategoryLine.objects.filter(line__active=True).values_list("prefix", "line__code")
    return sorted(rows, key=lambda row: (-len(row[0]), row[0]))


def line_of(category_code: str, prefixes: list[tuple[str, str]]) -> str:
    for prefix, line_code in prefixes:
        if category_code.startswith(prefix):
            return line_code
    return ""


# --- the worker's day ---------------------------------------------------------------------------


def day_cases(user_id: int, grid_code: str, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    in_grid = Case.objects.filter(grid_id=grid_code)
    reported = in_grid.filter(reporter_id=user_id, created_at__gte=start, created_at__lt=end).count()
    acted = (
        CaseEvent.objects.filter(actor_id=user_id, at__gte=start, at__lt=end, case__grid_id=grid_code)
        .exclude(action=Action.REPORT)
        .values("case_id")
        .distinct()
        .count()
    )
    closed = (
        CaseEvent.objects.filter(
            actor_id=user_id, at__gte=start, at__lt=end, case__grid_id=grid_code, to_status="closed"
        )
        .values("case_id")
        .distinct()
        .count()
    )
    return {"cases_reported": reported, "cases_acted": acted, "cases_closed": closed}


def day_meetings(user_id: int, grid_code: str, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    day = start.date()
    attended = (
        MeetingAttendee.objects.filter(user_id=user_id, meeting__grid_id=grid_code, meeting__held_on=day)
        .values("meeting_id")
        .distinct()
    )
    recorded = Meeting.objects.filter(grid_id=grid_code, held_on=day, recorded_by_id=user_id).values("pk")
    meetings = Meeting.objects.filter(Q(pk__in=attended) | Q(pk__in=recorded)).count()
    done = Task.objects.filter(
        owner_id=user_id, grid_id=grid_code, done_at__gte=start, done_at__lt=end
    ).count()
    raised = Feedback.objects.filter(
        raised_by_id=user_id, grid_id=grid_code, raised_at__gte=start, raised_at__lt=end
    ).count()
    return {"meetings": meetings, "tasks_done": done, "problems_raised": raised}


# Patrols, visits and memos (the other parts of field work) append theirs here.
DAY_SOURCES: list[DaySource] = [day_cases, day_meetings]


# --- the grid's week ----------------------------------------------------------------------------


def week_cases(grid_code: str, start: dt.datetime, end: dt.datetime) -> list[tuple[str, str, int]]:
    prefixes = category_lines()
    in_grid = Case.objects.filter(grid_id=grid_code)
    rows: list[tuple[str, str, int]] = []
    for figure, period in (
        ("cases_reported", Q(created_at__gte=start, created_at__lt=end)),
        ("cases_closed", Q(closed_at__gte=start, closed_at__lt=end)),
    ):
        counted = in_grid.filter(period).values("category__code").annotate(n=Count("pk"))
        rows.extend((line_of(row["category__code"], prefixes), figure, row["n"]) for row in counted)
    return rows


def week_meetings(grid_code: str, start: dt.datetime, end: dt.datetime) -> list[tuple[str, str, int]]:
    first, last = start.date(), (end - dt.timedelta(microseconds=1)).date()
    met = Meeting.objects.filter(grid_id=grid_code, held_on__range=(first, last)).aggregate(
        meetings=Count("pk", distinct=True), decisions=Count("decisions")
    )
    tasks = Task.objects.filter(grid_id=grid_code).aggregate(
        tasks_set=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        tasks_done=Count("pk", filter=Q(done_at__gte=start, done_at__lt=end)),
    )
    problems = Feedback.objects.filter(grid_id=grid_code).aggregate(
        problems_raised=Count("pk", filter=Q(raised_at__gte=start, raised_at__lt=end)),
        problems_answered=Count("pk", filter=Q(answered_at__gte=start, answered_at__lt=end)),
    )
    return [("", figure, count or 0) for figure, count in (met | tasks | problems).items()]


# Patrols, visits and memos (the other parts of field work) append theirs here.
WEEK_SOURCES: list[WeekSource] = [week_cases, week_meetings]


def day_figures(user_id: int, grid_code: str, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    figures: dict[str, int] = {}
    for source in DAY_SOURCES:
        for figure, count in source(user_id, grid_code, start, end).items():
            figures[figure] = figures.get(figure, 0) + count
    return figures


def week_figures(grid_code: str, start: dt.datetime, end: dt.datetime) -> dict[str, dict[str, int]]:
    """{line code: {figure: count}}; the key "" holds the figures of the whole grid, and the cases
    whose category counts under no business line."""
    figures: dict[str, dict[str, int]] = {}
    for source in WEEK_SOURCES:
        for line_code, figure, count in source(grid_code, start, end):
            counts = figures.setdefault(line_code, {})
            counts[figure] = counts.get(figure, 0) + count
    return figures


def labelled(figures: dict[str, int]) -> list[dict[str, object]]:
    """Figures ready to show, in the order of FIGURE_LABELS (unknown ones last, by name)."""
    order = list(FIGURE_LABELS)
    keys = sorted(figures, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [{"key": k, "label": str(FIGURE_LABELS.get(k, k)), "count": figures[k]} for k in keys]

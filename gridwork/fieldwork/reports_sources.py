"""Where the figures of work logs and weekly reports come from: one list of sources per period.

A source counts records of one kind; the work log and the weekly report only add up what the
sources return, so a kind of field work plugs in by appending one function to DAY_SOURCES and one
to WEEK_SOURCES, with its figure names in FIGURE_LABELS (patrols, visits and memos count in
`day_field_work` and `week_field_work`). Nothing here writes.

- A day source: `(user_id, grid_code, start, end) -> {figure: count}`, the worker's own records.
- A week source: `(grid_code, start, end) -> [(line_code, figure, count)]`, the grid's records;
  line_code "" for a figure of the whole grid rather than of one business line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from gridwork.cases.models import Action, Case, CaseEvent
from gridwork.fieldwork.patrols_models import Patrol, PatrolFinding, PatrolStatus
from gridwork.fieldwork.reports_models import (
    CategoryLine,
    Feedback,
    Meeting,
    MeetingAttendee,
    Task,
)
from gridwork.fieldwork.visit_models import Memo, Visit

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
    "patrols": _("patrols"),
    "patrol_km": _("km patrolled"),
    "patrol_findings": _("things noted on patrol"),
    "visits": _("visits"),
    "memos": _("memos"),
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


def _walked(patrols: QuerySet[Patrol], findings: QuerySet[PatrolFinding]) -> dict[str, int]:
    """Ended patrols (an open one is still being walked) by their start, findings by their time."""
    ended = patrols.filter(status=PatrolStatus.ENDED).aggregate(n=Count("pk"), m=Sum("length_m"))
    return {
        "patrols": ended["n"],
        "patrol_km": round((ended["m"] or 0) / 1000),
        "patrol_findings": findings.count(),
    }


def day_field_work(user_id: int, grid_code: str, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    mine = {"grid_id": grid_code}
    walked = _walked(
        Patrol.objects.filter(worker_id=user_id, started_at__gte=start, started_at__lt=end, **mine),
        PatrolFinding.objects.filter(
            patrol__worker_id=user_id, patrol__grid_id=grid_code, at__gte=start, at__lt=end
        ),
    )
    visits = Visit.objects.filter(worker_id=user_id, visited_at__gte=start, visited_at__lt=end, **mine)
    memos = Memo.objects.filter(author_id=user_id, written_at__gte=start, written_at__lt=end, **mine)
    return walked | {"visits": visits.count(), "memos": memos.count()}


DAY_SOURCES: list[DaySource] = [day_cases, day_meetings, day_field_work]


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


def week_field_work(grid_code: str, start: dt.datetime, end: dt.datetime) -> list[tuple[str, str, int]]:
    walked = _walked(
        Patrol.objects.filter(grid_id=grid_code, started_at__gte=start, started_at__lt=end),
        PatrolFinding.objects.filter(patrol__grid_id=grid_code, at__gte=start, at__lt=end),
    )
    visits = Visit.objects.filter(grid_id=grid_code, visited_at__gte=start, visited_at__lt=end).count()
    memos = Memo.objects.filter(grid_id=grid_code, written_at__gte=start, written_at__lt=end).count()
    counts = walked | {"visits": visits, "memos": memos}
    return [("", figure, count) for figure, count in counts.items()]


WEEK_SOURCES: list[WeekSource] = [week_cases, week_meetings, week_field_work]


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

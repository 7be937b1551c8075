"""Case indicators per area, department, person and period, computed from the timeline."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q

from gridwork.cases.models import Action, Case, CaseEvent, Status
from gridwork.core.scoping import code_range_q


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def indicators(
    *,
    start: dt.datetime,
    end: dt.datetime,
    area_prefix: str | None = None,
    department: str | None = None,
    user_id: int | None = None,
) -> dict[str, Any]:
    """Indicators of the cases reported in [start, end), as the timeline stood at `end`.

    area_prefix: cases whose grid is under the area; department: cases ever dispatched to it;
    user_id: cases the person reported or acted on. Merged duplicates do not count.
    """
    cases = Case.objects.filter(created_at__gte=start, created_at__lt=end).exclude(status=Status.MERGED)
    if area_prefix:
        cases = cases.filter(code_range_q("grid__code", area_prefix))
    if department:
        cases = cases.filter(pk__in=CaseEvent.objects.filter(department=department).values("case_id"))
    if user_id is not None:
        acted = CaseEvent.objects.filter(actor_id=user_id).values("case_id")
        cases = cases.filter(Q(reporter_id=user_id) | Q(pk__in=acted))
    rows = {
        pk: (created, deadline, rating)
        for pk, created, deadline, rating in cases.values_list("pk", "created_at", "deadline", "rating")
    }
    events = CaseEvent.objects.filter(case_id__in=cases.values("pk"), at__lt=end).filter(
        Q(to_status=Status.CLOSED, from_status__gt="") & ~Q(from_status=Status.CLOSED)
        | Q(action__in=[Action.VERIFY_PASS, Action.VERIFY_FAIL, Action.OVERDUE])
    )
    first_close: dict[int, dt.datetime] = {}
    kinds: dict[str, set[int]] = defaultdict(set)
    for case_id, action, to_status, at in events.order_by("at", "id").values_list(
        "case_id", "action", "to_status", "at"
    ):
        if action in (Action.VERIFY_PASS, Action.VERIFY_FAIL, Action.OVERDUE):
            kinds[action].add(case_id)
        elif to_status == Status.CLOSED:
            first_close.setdefault(case_id, at)
    total = len(rows)
    closed = len(first_close)
    on_time = sum(1 for pk, at in first_close.items() if rows[pk][1] is None or at <= rows[pk][1])
    verified = kinds[Action.VERIFY_PASS] | kinds[Action.VERIFY_FAIL]
    hours = [(at - rows[pk][0]).total_seconds() / 3600 for pk, at in first_close.items()]
    ratings = [r[2] for r in rows.values() if r[2] is not None]
    return {
        "cases": total,
        "closed": closed,
        "closure_rate": _rate(closed, total),
        "on_time_closed": on_time,
        "on_time_rate": _rate(on_time, closed),
        "reworked": len(kinds[Action.VERIFY_FAIL]),
        "rework_rate": _rate(len(kinds[Action.VERIFY_FAIL]), len(verified)),
        "overdue": len(kinds[Action.OVERDUE]),
        "avg_handling_hours": round(sum(hours) / len(hours), 2) if hours else None,
        "satisfaction": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "rated": len(ratings),
    }

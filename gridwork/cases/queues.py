"""The work queues over the scoped cases: mine, my area, overdue. Read-only; every queue starts
from `Case.objects.visible_to(user)`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from gridwork.accounts.access import active_assignments, department_scopes
from gridwork.accounts.models import Role
from gridwork.cases.models import Case, Status
from gridwork.core.scoping import code_range_q

QUEUES = ("mine", "area", "overdue")


def held_by(user: Any) -> Q:
    """Held by the user, by their department, or by the staff of an area where they hold a role
    (their grid, their community's acceptance centre, their street, their district)."""
    query = Q(holder_user=user)
    areas = {a.area_id for a in active_assignments(user) if a.role != Role.DEPARTMENT_HANDLER}
    if areas:
        query |= Q(holder_user__isnull=True, holder_department="", holder_area_id__in=sorted(areas))
    for area_code, department in department_scopes(user):
        query |= Q(holder_user__isnull=True, holder_department=department) & code_range_q(
            "holder_area_id", area_code
        )
    return query


def queue(user: Any, name: str | None, now: dt.datetime) -> QuerySet[Case]:
    """The cases of one queue; an unknown or empty name gives every case in scope."""
    cases = Case.objects.visible_to(user)
    if name == "mine":
        return cases.open().filter(held_by(user))
    if name == "area":
        return cases.open()
    if name == "overdue":
        # Flagged by the job, or already past the step deadline before the job's next run.
        return (
            cases.open().exclude(status=Status.SUSPENDED).filter(Q(overdue=True) | Q(step_deadline__lt=now))
        )
    return cases

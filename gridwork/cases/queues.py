"""The work queues over the scoped cases: mine, my area, overdue. Read-only; every queue starts
from the cases the user may see (`Case.objects.visible_to(user)`, see `_scoped`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import CharField, F, Func, Q, QuerySet

from gridwork.accounts.access import CASES_VIEW, active_assignments, department_scopes, scope_codes
from gridwork.accounts.models import Role
from gridwork.areas.models import Area, Level
from gridwork.cases.machine import GRID_ROLES
from gridwork.cases.models import Case, Status
from gridwork.core.scoping import code_range_q, prefix_q

QUEUES = ("mine", "area", "overdue")
# Scopes of this length or shorter (a district, a street) hold tens of thousands of open cases.
WIDE_SCOPE = 9
COMMUNITY_CODE = 12


class _NotFromAnIndex(Func):
    """The value itself, written `+value`: SQLite then does not look the condition up in an index."""

    template = "+%(expressions)s"
    output_field = CharField()


def _scoped(user: Any, paged: bool) -> QuerySet[Case]:
    """The cases the user may see, written for SQLite's planner to read a page of them well.

    Without statistics of how the grid codes spread, SQLite takes every range of codes for a
    narrow one. For a district's or a street's queue it would read all their open cases and sort
    them (0.1-2.5 s at district scale): there the scope is kept out of the index choice, and the
    page is read from the open cases in the queue's order (case_open_by_deadline), where it comes
    within the first rows. For a community's it would walk that order past most of the district's
    cases: there the scope is named as its grids, which the planner knows to be few. The rows are
    visible_to's: a department handler (who also sees dispatched cases) and a count (`paged=False`,
    read fastest from the scope's index) keep the plain form, as do other databases."""
    visible = Case.objects.visible_to(user)
    if not paged or connection.vendor != "sqlite" or department_scopes(user):
        return visible
    codes = scope_codes(user, CASES_VIEW)
    if codes and max(map(len, codes)) <= WIDE_SCOPE:
        return Case.objects.alias(scope_code=_NotFromAnIndex(F("grid_id"))).filter(
            prefix_q("scope_code", codes)
        )
    if codes and all(len(code) == COMMUNITY_CODE for code in codes):
        grids = Area.objects.filter(parent__code__in=codes, level=Level.GRID).values_list("code", flat=True)
        return Case.objects.filter(grid_id__in=list(grids))
    return visible


def held_by(user: Any) -> Q:
    """Held by the user, by their department, or by the staff of an area where they hold a role
    (their grid, their community's acceptance centre, their street, their district).

    Only a grid role holds a case in person (a report on the spot, cases.services.reporting; every
    transition hands it to an area or a department), so for others that branch is left out: an OR
    across columns makes SQLite read a whole district's cases."""
    assignments = active_assignments(user)
    in_person = any(a.role in GRID_ROLES for a in assignments)
    query = Q(holder_user=user) if in_person else Q(pk__in=[])
    areas = {a.area_id for a in assignments if a.role != Role.DEPARTMENT_HANDLER}
    if areas:
        query |= Q(holder_user__isnull=True, holder_department="", holder_area_id__in=sorted(areas))
    for area_code, department in department_scopes(user):
        query |= Q(holder_user__isnull=True, holder_department=department) & code_range_q(
            "holder_area_id", area_code
        )
    return query


def queue(user: Any, name: str | None, now: dt.datetime, *, paged: bool = True) -> QuerySet[Case]:
    """The cases of one queue; an unknown or empty name gives every case in scope. `paged=False`:
    the same cases, as read for counting them (see _scoped)."""
    cases = _scoped(user, paged)
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

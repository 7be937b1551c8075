"""Reading the cases' reference data: the active categories and the work calendar's exceptions.

Both are small tables, read where they are used (a category by its code, the tree for a filter,
the calendar once per block of deadline arithmetic, see calendar.one_read), so an edit by the
admin, a migration or another process counts at the very next request.
"""

from __future__ import annotations

import datetime as dt

from gridwork.cases.models import Category, WorkCalendarDay


def active_leaf(code: str) -> Category | None:
    """The active leaf category with this code (what cases are filed under), or None."""
    return Category.objects.active().leaves().filter(code=str(code)).first()


def active_category_rows() -> list[tuple[int, str, int | None, str, str, str]]:
    """(id, code, parent id, Chinese name, English name, default track) of the active categories in
    code order: the tree of a filter or a picker (read as rows: a page shows them all)."""
    rows = Category.objects.active().order_by("code")
    return list(rows.values_list("pk", "code", "parent_id", "name_zh", "name_en", "default_track"))


def calendar_exceptions() -> dict[dt.date, bool]:
    """Every declared holiday (False) and make-up working day (True), by date."""
    return dict(WorkCalendarDay.objects.values_list("date", "is_workday"))

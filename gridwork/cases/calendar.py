"""The work calendar: Monday to Friday, minus public holidays, plus make-up working days.

Time limits count working time only: working hours each working day (setting CASES_WORK_PERIODS,
local time). A limit in days is that many full working days of working time, so "1 day" from Friday
10:00 ends on Monday 10:00 and the share of a limit used is the same whichever unit it was set in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import CASES_CONFIGURE, scope_codes
from gridwork.accounts.permissions import require
from gridwork.cases import reference
from gridwork.cases.models import TimeUnit, WorkCalendarDay
from gridwork.core import audit

DEFAULT_WORK_PERIODS = [("09:00", "12:00"), ("13:30", "17:30")]
YELLOW_FROM = 0.8
# Far enough for any limit; a loop that ran longer would mean a calendar with no working day.
_MAX_DAYS = 3660


_PARSED: dict[tuple[tuple[str, str], ...], list[tuple[dt.time, dt.time]]] = {}


def work_periods() -> list[tuple[dt.time, dt.time]]:
    # Asked for every day a deadline spans: parsed once per setting's value.
    raw = tuple((start, end) for start, end in getattr(settings, "CASES_WORK_PERIODS", DEFAULT_WORK_PERIODS))
    periods = _PARSED.get(raw)
    if periods is None:
        periods = _PARSED[raw] = [(dt.time.fromisoformat(s), dt.time.fromisoformat(e)) for s, e in raw]
    return list(periods)


def minutes_per_day() -> int:
    return sum(
        (dt.datetime.combine(dt.date.min, e) - dt.datetime.combine(dt.date.min, s)).seconds // 60
        for s, e in work_periods()
    )


def limit_minutes(amount: int, unit: str) -> int:
    if unit == TimeUnit.HOURS:
        return int(amount) * 60
    if unit == TimeUnit.DAYS:
        return int(amount) * minutes_per_day()
    raise ValidationError({"unit": [_("The unit must be working hours or working days.")]})


class _Overrides:
    """The calendar exceptions, fetched at the first question (kept per process, see
    gridwork.cases.reference: one small query when unchanged)."""

    def __init__(self) -> None:
        self._days: dict[dt.date, bool] | None = None

    def is_workday(self, day: dt.date) -> bool:
        if self._days is None:
            self._days = reference.calendar_exceptions()
        found = self._days.get(day)
        return found if found is not None else day.weekday() < 5


_shared_overrides: ContextVar[_Overrides | None] = ContextVar("gridwork_calendar_overrides", default=None)


@contextmanager
def one_read(since: dt.date | None = None) -> Iterator[None]:
    """Within the block, fetch the calendar exceptions once, not once per call (a list of deadline
    colours would otherwise cost a query per row). `since`: the earliest day the block will ask about
    (all exceptions are fetched; given, they are fetched on entry)."""
    overrides = _Overrides()
    if since is not None:
        overrides.is_workday(since)
    token = _shared_overrides.set(overrides)
    try:
        yield
    finally:
        _shared_overrides.reset(token)


def _overrides() -> _Overrides:
    return _shared_overrides.get() or _Overrides()


def is_workday(day: dt.date) -> bool:
    return _Overrides().is_workday(day)


def _periods_on(day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    tz = timezone.get_current_timezone()
    # What timezone.make_aware gives for a zoneinfo zone (the time with the zone attached).
    combine = dt.datetime.combine
    return [(combine(day, s, tzinfo=tz), combine(day, e, tzinfo=tz)) for s, e in work_periods()]


def add_working_time(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    """The moment `amount` working hours or days after `start`."""
    return add_working_minutes(start, limit_minutes(amount, unit))


def add_working_minutes(start: dt.datetime, minutes: float) -> dt.datetime:
    remaining = dt.timedelta(minutes=minutes)
    if remaining <= dt.timedelta(0):
        return start
    calendar = _overrides()
    local = timezone.localtime(start)
    day = local.date()
    for _n in range(_MAX_DAYS):
        if calendar.is_workday(day):
            for begin, end in _periods_on(day):
                segment_start = max(begin, local)
                if end <= segment_start:
                    continue
                available = end - segment_start
                if remaining <= available:
                    return segment_start + remaining
                remaining -= available
        day += dt.timedelta(days=1)
    raise ValidationError(_("The work calendar has no working day in reach."))


def working_minutes_between(start: dt.datetime, end: dt.datetime) -> float:
    """Working time between two moments, in minutes (0 when end is not after start)."""
    if end <= start:
        return 0.0
    calendar = _overrides()
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    total = dt.timedelta(0)
    day = local_start.date()
    while day <= local_end.date():
        if calendar.is_workday(day):
            for begin, finish in _periods_on(day):
                lo, hi = max(begin, local_start), min(finish, local_end)
                if hi > lo:
                    total += hi - lo
        day += dt.timedelta(days=1)
    return total.total_seconds() / 60


def time_status(case: Any, now: dt.datetime | None = None) -> str:
    """green (< 80 % of the step's limit used), yellow (80–100 %), red (overdue); "" when no clock runs."""
    if not case.is_open or case.status == "suspended":
        return ""
    if getattr(case, "overdue", False):
        return "red"  # flagged by the overdue check: stays red until its clock restarts
    if case.step_deadline is None:
        return ""
    now = now or timezone.now()
    if now > case.step_deadline:
        return "red"
    if not case.step_limit_minutes or case.step_started_at is None:
        return "green"
    used = working_minutes_between(case.step_started_at, now) / case.step_limit_minutes
    return "yellow" if used >= YELLOW_FROM else "green"


@transaction.atomic
def set_calendar_day(actor: Any, day: dt.date, is_workday: bool, name: str = "") -> WorkCalendarDay:
    """Declare a public holiday or a make-up working day (district staff); audited."""
    require(actor, CASES_CONFIGURE, _district_code(actor))
    entry = WorkCalendarDay.objects.select_for_update().filter(date=day).first()
    before = audit.snapshot(entry) if entry else {}
    if entry is None:
        entry = WorkCalendarDay(date=day, is_workday=is_workday, name=name)
    else:
        entry.is_workday, entry.name = is_workday, name
    entry.full_clean(validate_unique=False)
    entry.save()
    audit.write_history(actor, entry, "update" if before else "create", before, audit.snapshot(entry))
    return entry


def _district_code(actor: Any) -> str:
    codes = [code for code in scope_codes(actor, CASES_CONFIGURE) if len(code) == 6]
    return codes[0] if codes else ""

"""Time limits on the work calendar: weekends, public holidays, make-up working days, working hours."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from gridwork.cases import calendar
from gridwork.cases.models import WorkCalendarDay
from gridwork.core.system import SYSTEM

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def t(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def test_seeded_calendar_has_the_official_schedules() -> None:
    assert not calendar.is_workday(dt.date(2025, 1, 29))  # Spring Festival 2025
    assert calendar.is_workday(dt.date(2025, 1, 26))  # a Sunday, make-up working day
    assert not calendar.is_workday(dt.date(2026, 2, 17))  # Spring Festival 2026
    assert calendar.is_workday(dt.date(2026, 2, 14))  # a Saturday, make-up working day
    assert not calendar.is_workday(dt.date(2026, 10, 7))
    assert calendar.is_workday(dt.date(2026, 10, 10))
    assert calendar.is_workday(dt.date(2025, 3, 7))  # an ordinary Friday
    assert not calendar.is_workday(dt.date(2025, 3, 8))  # an ordinary Saturday


def test_a_day_from_friday_skips_the_weekend() -> None:
    assert calendar.add_working_time(t(2025, 3, 7), 1, "days") == t(2025, 3, 10)


def test_hours_from_friday_afternoon_end_on_monday_morning() -> None:
    assert calendar.add_working_time(t(2025, 3, 7, 16, 30), 2, "hours") == t(2025, 3, 10, 10)


def test_hours_skip_the_lunch_break() -> None:
    assert calendar.add_working_time(t(2025, 3, 5, 11), 2, "hours") == t(2025, 3, 5, 14, 30)


def test_a_start_outside_working_hours_counts_from_the_next_period() -> None:
    assert calendar.add_working_time(t(2025, 3, 5, 20), 1, "hours") == t(2025, 3, 6, 10)


def test_a_public_holiday_is_skipped() -> None:
    # Qingming 2025: Friday 4 April to Sunday 6 April.
    assert calendar.add_working_time(t(2025, 4, 3), 1, "days") == t(2025, 4, 7)


def test_a_make_up_working_day_counts() -> None:
    # Sunday 27 April 2025 is worked (Labour Day swap); 1 May to 5 May are off.
    assert calendar.add_working_time(t(2025, 4, 25), 1, "days") == t(2025, 4, 27)
    assert calendar.add_working_time(t(2025, 4, 25), 2, "days") == t(2025, 4, 28)
    assert calendar.add_working_time(t(2025, 4, 25), 4, "days") == t(2025, 4, 30)
    assert calendar.add_working_time(t(2025, 4, 25), 5, "days") == t(2025, 5, 6)


def test_spring_festival_with_its_make_up_days() -> None:
    assert calendar.add_working_time(t(2025, 1, 24), 1, "days") == t(2025, 1, 26)
    assert calendar.add_working_time(t(2025, 1, 24), 3, "days") == t(2025, 2, 5)
    assert calendar.add_working_time(t(2026, 2, 13), 1, "days") == t(2026, 2, 14)
    assert calendar.add_working_time(t(2026, 2, 13), 2, "days") == t(2026, 2, 24)


def test_elapsed_working_time_ignores_nights_weekends_and_holidays() -> None:
    assert calendar.working_minutes_between(t(2025, 3, 7, 17), t(2025, 3, 10, 9, 30)) == 60
    assert calendar.working_minutes_between(t(2025, 4, 3, 17), t(2025, 4, 7, 9, 30)) == 60
    assert calendar.working_minutes_between(t(2025, 3, 10), t(2025, 3, 7)) == 0
    start = t(2025, 1, 24, 9)
    assert calendar.working_minutes_between(start, calendar.add_working_time(start, 5, "days")) == 5 * 420


def test_a_configured_holiday_changes_the_count() -> None:
    assert calendar.add_working_time(t(2027, 3, 4), 1, "days") == t(2027, 3, 5)
    calendar.set_calendar_day(SYSTEM, dt.date(2027, 3, 5), False, "test holiday")
    assert WorkCalendarDay.objects.get(date=dt.date(2027, 3, 5)).name == "test holiday"
    assert calendar.add_working_time(t(2027, 3, 4), 1, "days") == t(2027, 3, 8)


def test_only_district_staff_configure_the_calendar(district) -> None:  # noqa: ANN001
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        calendar.set_calendar_day(district.users["street_a"], dt.date(2027, 3, 5), False, "x")
    calendar.set_calendar_day(district.users["district"], dt.date(2027, 3, 5), False, "x")
    assert not calendar.is_workday(dt.date(2027, 3, 5))


def _case(started: dt.datetime, minutes: int) -> SimpleNamespace:
    return SimpleNamespace(
        is_open=True,
        status="dispatched",
        step_started_at=started,
        step_limit_minutes=minutes,
        step_deadline=calendar.add_working_minutes(started, minutes),
    )


def test_green_yellow_red_across_a_weekend() -> None:
    case = _case(t(2025, 3, 7, 9), 2 * 420)  # two working days from Friday 09:00: due Monday 17:30
    assert case.step_deadline == t(2025, 3, 10, 17, 30)
    assert calendar.time_status(case, t(2025, 3, 8, 12)) == "green"  # the weekend does not count
    assert calendar.time_status(case, t(2025, 3, 10, 9)) == "green"  # exactly half used
    assert calendar.time_status(case, t(2025, 3, 10, 15)) == "yellow"
    assert calendar.time_status(case, t(2025, 3, 10, 18)) == "red"
    case.is_open = False
    assert calendar.time_status(case, t(2025, 3, 10, 18)) == ""

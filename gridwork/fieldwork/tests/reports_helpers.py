"""Shortcuts for the tests of field work's part "reports": a fixed week, cases reported in it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from gridwork.accounts import services as accounts
from gridwork.accounts.access import forget_assignments
from gridwork.accounts.models import Role
from gridwork.cases import services as case_services
from gridwork.cases.models import Case
from gridwork.conftest import GRID_ORIGINS, PASSWORD, STREET_A
from gridwork.core.system import SYSTEM

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = dt.date(2026, 11, 2)  # a Monday; its report is due Monday 9 November, 12:00 in Shanghai
CIVIL = "民政和社会保障科"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def report_case(d: Any, grid: str, category: str, when: dt.datetime, who: str = "worker_a1") -> Case:
    lon, lat = GRID_ORIGINS[grid]
    with time_machine.travel(when, tick=False):
        return case_services.report_case(
            d.users[who], category=category, title="测试", source="patrol", lon=lon + 0.004, lat=lat + 0.004
        )


def act(d: Any, who: str, case: Case, action: str, when: dt.datetime, **kw: Any) -> None:
    with time_machine.travel(when, tick=False):
        case_services.act(d.users[who], case.pk, action, **kw)


def add_civil_handler(d: Any) -> Any:
    """A handler of the civil-affairs department at street A (the counterpart of two lines)."""
    user = accounts.create_user(SYSTEM, "civil_a", PASSWORD, display_name="civil_a", check_password=False)
    accounts.grant_role(SYSTEM, user, Role.DEPARTMENT_HANDLER, STREET_A, department=CIVIL)
    forget_assignments(user)
    d.users["civil_a"] = user
    return user

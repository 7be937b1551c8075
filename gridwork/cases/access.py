"""Who may use the case pages and queues (the cases themselves are then scoped by visible_to)."""

from __future__ import annotations

from typing import Any

from gridwork.accounts.access import CASES_REPORT, CASES_VIEW, department_scopes, has_capability


def may_use_cases(user: Any) -> bool:
    """Staff who see cases in an area, or department handlers who see what is dispatched to them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return has_capability(user, CASES_VIEW) or bool(department_scopes(user))


def may_report_cases(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and has_capability(user, CASES_REPORT))

"""Whether to offer the case pages to the signed-in user (header and home page links)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def may_use_cases(user: Any) -> bool:
    from gridwork.web.views.cases import may_use_cases as allowed

    return bool(user is not None and getattr(user, "is_authenticated", False) and allowed(user))


@register.simple_tag
def may_report_cases(user: Any) -> bool:
    from gridwork.accounts.access import CASES_REPORT, has_capability

    return bool(getattr(user, "is_authenticated", False) and has_capability(user, CASES_REPORT))

"""Whether to offer a field-work page to the signed-in user (the tabs of reports and meetings)."""

from __future__ import annotations

from typing import Any

from django import template

from gridwork.accounts.access import FIELDWORK_REPORTS_RECORD, has_capability

register = template.Library()


@register.simple_tag
def may_keep_worklog(user: Any) -> bool:
    return has_capability(user, FIELDWORK_REPORTS_RECORD)

"""Whether to offer the case pages to the signed-in user (header and home page links)."""

from __future__ import annotations

from typing import Any

from django import template

from gridwork.cases import access

register = template.Library()


@register.simple_tag
def may_use_cases(user: Any) -> bool:
    return access.may_use_cases(user)


@register.simple_tag
def may_report_cases(user: Any) -> bool:
    return access.may_report_cases(user)

"""Template helpers of the export buttons."""

from __future__ import annotations

from typing import Any

from django import template

from gridwork.accounts.access import REGISTER_EXPORT, REGISTER_REVEAL, can

register = template.Library()


@register.simple_tag
def may_reveal_at(user: Any, code: str) -> bool:
    """Whether the unmasked-export form is worth showing (the service checks again)."""
    return can(user, REGISTER_REVEAL, code)


@register.simple_tag
def may_export_at(user: Any, code: str) -> bool:
    """Whether the export buttons are worth showing (the service checks again)."""
    return can(user, REGISTER_EXPORT, code)

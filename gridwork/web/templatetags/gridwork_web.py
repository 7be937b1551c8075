"""Small display helpers for the pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from gridwork.core.masking import age_on, mask_free_text

register = template.Library()


@register.filter
def age(birth: dt.date | None, today: dt.date | None = None) -> int | str:
    """Age in whole years: the pages show it instead of the birth date, which stays masked."""
    found = age_on(birth, today or timezone.localdate())
    return "" if found is None else found


@register.filter
def private_text(value: str | None, revealed: bool = False) -> str:
    """Free text as written when revealed (audited); else with ID-like and phone-like numbers masked."""
    return (value or "") if revealed else mask_free_text(value)

"""Masking of ID numbers and phones: the default everywhere a person is shown."""

from __future__ import annotations

import datetime as dt
import re


def mask_id_number(value: str | None) -> str:
    """First character and last four; the birth date never shows."""
    if not value:
        return ""
    if len(value) <= 5:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 5) + value[-4:]


def mask_phone(value: str | None) -> str:
    """First three digits and last four."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """Surname only, for public pages (张**)."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


# What a person may type into free text that identifies someone: an ID number (18 characters, or
# the older 15 digits) or any other long run of digits (a phone or card number), a mobile number
# written in groups (138 0013 8000, 138-0013-8000) and a landline with its area code (010-12345678).
_LONG_DIGITS = re.compile(r"(?<!\d)\d{11,}[Xx]?(?!\d)")
_GROUPED_MOBILE = re.compile(r"(?<!\d)1[3-9]\d[ \-]\d{4}[ \-]\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[ \-]?\d{7,8}(?!\d)")
# In the order they are applied: the grouped mobile before the long runs it would split.
PERSONAL_NUMBER_PATTERNS = (_GROUPED_MOBILE, _LONG_DIGITS, _LANDLINE)


def _masked_number(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"[ \-]", "", text)
    return mask_id_number(digits) if len(digits) >= 15 else mask_phone(digits)


def mask_free_text(value: str | None) -> str:
    """Free text (a case's title, description, address, a note) with every ID-like and phone-like
    number masked as the register masks them; everything else as written."""
    if not value:
        return ""
    for pattern in PERSONAL_NUMBER_PATTERNS:
        value = pattern.sub(_masked_number, value)
    return value


def has_personal_number(value: str | None) -> bool:
    """Whether free text holds something mask_free_text would mask."""
    return bool(value) and mask_free_text(value) != value


def age_on(birth: dt.date | None, today: dt.date) -> int | None:
    """Age in whole years: what lists and answers show instead of the birth date."""
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))

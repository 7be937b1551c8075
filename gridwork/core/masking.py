"""Masking of ID numbers and phones: the default everywhere a person is shown."""

from __future__ import annotations


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

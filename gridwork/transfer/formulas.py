"""Spreadsheet formula injection: text a spreadsheet would run as a formula is written with a
leading apostrophe, and that apostrophe is taken off again when the file is imported back."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """A leading apostrophe on text a spreadsheet would run as a formula; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_formula(text: str) -> str:
    """The inverse of escape_formula for a cell read back from a file."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text

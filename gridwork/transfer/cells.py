"""Cell parsers of the import columns: a spreadsheet or CSV cell → a value, or a translated ValidationError.

Each parser is a pure function of the cell. A column holding few distinct values (codes, choices,
dates, numbers) repeats them over a million rows, so `remembered` keeps a parser's outcome per
distinct cell for the length of one file.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from gridwork.transfer.formulas import unescape_formula

# A bound on each remembered parser, so a hostile file cannot grow the memory.
MEMO_LIMIT = 50_000

Parser = Callable[[Any], Any]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def text(value: Any) -> str:
    """A cell as text; whole numbers typed into a spreadsheet come back without '.0'."""
    if type(value) is str:
        # The common cell of a CSV file; a blank one strips to "".
        value = value.strip()
        return unescape_formula(value) if value[:1] == "'" else value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unescape_formula(str(value).strip())


def code_text(value: Any) -> str:
    """A code or ID number: text, upper-cased; a float (a spreadsheet lost its digits) is refused."""
    if isinstance(value, float) and abs(value) >= 1e15:
        raise ValidationError(_("This number lost digits in the spreadsheet; format the column as text."))
    return text(value).upper()


def integer(value: Any) -> int | None:
    if _blank(value):
        return None
    try:
        number = decimal.Decimal(text(value))
    except decimal.InvalidOperation as exc:
        raise ValidationError(_("Enter a whole number.")) from exc
    if number != number.to_integral_value():
        raise ValidationError(_("Enter a whole number."))
    return int(number)


def number(value: Any) -> float | None:
    if _blank(value):
        return None
    try:
        return float(text(value))
    except ValueError as exc:
        raise ValidationError(_("Enter a number.")) from exc


def dec(value: Any) -> decimal.Decimal | None:
    if _blank(value):
        return None
    try:
        return decimal.Decimal(text(value))
    except decimal.InvalidOperation as exc:
        raise ValidationError(_("Enter a number.")) from exc


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def date(value: Any) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw.isascii():
        # The common YYYY-MM-DD without strptime (ten times slower); the same date as "%Y-%m-%d".
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("Enter a valid date (YYYY-MM-DD)."))


@functools.cache
def _choice_lookup(choices: type[models.Choices]) -> dict[str, Any]:
    """Code, English label and Chinese label (lower-cased, no spaces) → stored value."""
    lookup: dict[str, Any] = {}
    for value, label in choices.choices:
        lookup[normal_header(str(value))] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup.setdefault(normal_header(str(label)), value)
    return lookup


def choice(choices: type[models.Choices]) -> Parser:
    def parse(value: Any) -> Any:
        if _blank(value):
            return None
        found = _choice_lookup(choices).get(normal_header(text(value)))
        if found is None:
            raise ValidationError(
                _("Unknown value; use one of: %(values)s.")
                % {"values": ", ".join(str(v) for v in choices.values)}
            )
        return found

    return parse


def normal_header(header: str) -> str:
    """Headers and choice labels compare without case and spaces (full-width ones too)."""
    return "".join(str(header).split()).replace("\u3000", "").lower()


class remembered:  # noqa: N801 - used as a function
    """`parse` as (True, value) or (False, messages), remembered per distinct cell (up to MEMO_LIMIT).

    `memo` holds the outcomes by cell (a text cell by itself, any other by its type and value:
    1, 1.0 and True are equal keys with different parses). The messages are kept as text of the
    language active when first seen: one file, one language.
    """

    def __init__(self, parse: Parser) -> None:
        self.parse = parse
        self.memo: dict[Any, tuple[bool, Any]] = {}

    def __call__(self, cell: Any) -> tuple[bool, Any]:
        key = cell if type(cell) is str else (type(cell), cell)
        found = self.memo.get(key)
        if found is None:
            try:
                found = (True, self.parse(cell))
            except ValidationError as exc:
                found = (False, exc.messages)
            if len(self.memo) < MEMO_LIMIT:
                self.memo[key] = found
        return found

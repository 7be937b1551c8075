"""Checks of national code standards: GB 11643 resident ID, GB 32100 credit code, phones, area codes.

Each check raises django ValidationError with a translated message naming what is wrong.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB/T 2260 province-level codes (first two digits of a division code); 81/82/83 are the
# codes used in residence permits of Hong Kong, Macao and Taiwan residents.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65"  # noqa: SIM905
    " 71 81 82 83".split()
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


_ID_FORMAT = re.compile(r"\d{17}[\dX]")


# What ASCII '0' (byte 48) in every position adds to the weighted sum of a number's bytes.
_ID_ZERO_BYTES = 48 * sum(_ID_WEIGHTS)


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    if len(first17) != len(_ID_WEIGHTS):
        raise ValueError("a resident ID's check character is computed from 17 digits")
    if first17.isascii() and first17.isdigit():
        # The digits' bytes, less 48 each, are the digits: a third of the time of int() per digit,
        # and imports check a million of these.
        total = sum(map(operator.mul, first17.encode(), _ID_WEIGHTS)) - _ID_ZERO_BYTES
    else:
        total = sum(map(operator.mul, map(int, first17), _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def parse_resident_id(value: str, today: dt.date | None = None) -> tuple[dt.date, str]:
    """Validate an 18-character resident ID; return (birth date, sex 'M'/'F')."""
    value = (value or "").strip().upper()
    if not _ID_FORMAT.fullmatch(value):
        raise ValidationError(_("A resident ID number has 17 digits and a final digit or X."), code="format")
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(_("The ID number does not start with a valid province code."), code="region")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise ValidationError(_("The ID number holds no valid birth date."), code="birth_date") from exc
    today = today or dt.date.today()
    if birth > today or birth.year < 1880:
        raise ValidationError(_("The ID number holds no valid birth date."), code="birth_date")
    if resident_id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("The ID number's check digit is wrong."), code="checksum")
    sex = "M" if int(value[16]) % 2 == 1 else "F"
    return birth, sex


def validate_resident_id(value: str) -> None:
    parse_resident_id(value)


def check_resident_id_agrees(
    value: str, birth_date: dt.date | None, sex: str | None, today: dt.date | None = None
) -> list[ValidationError]:
    """Errors when the ID number disagrees with the recorded birth date or sex."""
    birth, id_sex = parse_resident_id(value, today)
    errors: list[ValidationError] = []
    if birth_date and birth_date != birth:
        errors.append(
            ValidationError(_("The birth date does not match the ID number."), code="birth_mismatch")
        )
    if sex and sex in {"M", "F"} and sex != id_sex:
        errors.append(ValidationError(_("The sex does not match the ID number."), code="sex_mismatch"))
    return errors


_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """GB 32100 unified social credit code: 18 characters, division code, check character."""
    value = (value or "").strip().upper()
    if len(value) != 18 or any(c not in _CREDIT_CHARS for c in value):
        raise ValidationError(
            _("A unified social credit code has 18 characters of digits and capitals (no I, O, Z, S, V)."),
            code="format",
        )
    if not value[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of the credit code must be a division code."), code="region"
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("The credit code's check character is wrong."), code="checksum")


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")


_PHONE_NOISE = re.compile(r"[\s()]")


def normalise_phone(value: str) -> str:
    return _PHONE_NOISE.sub("", value or "")


def validate_phone(value: str) -> None:
    phone = normalise_phone(value)
    if not (_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone)):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline with its area code."), code="phone"
        )


AREA_CODE_LENGTHS = {6: 1, 9: 2, 12: 3, 15: 4}


def validate_area_code(value: str) -> None:
    if not value or not value.isdigit() or len(value) not in AREA_CODE_LENGTHS:
        raise ValidationError(
            _("An area code has 6 (district), 9 (street), 12 (community) or 15 (grid) digits."),
            code="area_code",
        )
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(_("The area code does not start with a valid province code."), code="region")
    for start in range(6, len(value), 3):
        if value[start : start + 3] == "000":
            raise ValidationError(_("A level of the area code cannot be 000."), code="area_code")


# --- control characters -----------------------------------------------------------------------

# C0 controls, DEL and C1 controls. A spreadsheet cannot hold most of them (openpyxl refuses the
# cell: one such character in one record broke a district's XLSX export), a terminal or a log
# reader may act on them, and no one types them. Tab, line feed and carriage return are text in a
# multi-line field (notes, a description) and nowhere else.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    return (_CONTROL_EXCEPT_LINES if multiline else _CONTROL).search(value) is not None


def validate_text(value: str, *, multiline: bool = False) -> None:
    """Refuse control characters; tab and line breaks only in a multi-line field."""
    if isinstance(value, str) and has_control_characters(value, multiline=multiline):
        if multiline:
            message = _("Remove the control characters from the text.")
        else:
            message = _("Remove the control characters (tabs and line breaks too) from this one-line text.")
        raise ValidationError(message, code="control_characters")


def validate_single_line(value: str) -> None:
    validate_text(value, multiline=False)


def validate_multiline(value: str) -> None:
    validate_text(value, multiline=True)


def strip_control_characters(value: Any) -> Any:
    """Text for a writer (XLSX, CSV, an error report): every control character but tab and line
    breaks dropped, so a record stored before the check existed cannot break a file."""
    if isinstance(value, str):
        return _CONTROL_EXCEPT_LINES.sub("", value)
    return value


def control_character_errors(single_line: dict[str, Any], multiline: dict[str, Any]) -> dict[str, list[str]]:
    """validate_text over a service's text arguments, by name: the errors of those that fail."""
    errors: dict[str, list[str]] = {}
    for values, lines in ((single_line, False), (multiline, True)):
        for name, value in values.items():
            try:
                validate_text(value, multiline=lines)
            except ValidationError as exc:
                errors[name] = exc.messages
    return errors

"""ID numbers show their first character and last four, never the birth date; phones 3 + 4."""

from __future__ import annotations

import pytest

from gridwork.core.masking import mask_id_number, mask_name, mask_phone


def test_resident_id_keeps_first_one_and_last_four() -> None:
    masked = mask_id_number("11010519491231002X")
    assert masked == "1*************002X"
    assert len(masked) == 18
    assert "1949" not in masked and "1231" not in masked


@pytest.mark.parametrize("value", ["11010519491231002X", "440304199001010017", "E12345678", "AB123456"])
def test_no_birth_date_or_middle_digit_survives(value: str) -> None:
    masked = mask_id_number(value)
    assert masked[0] == value[0]
    assert masked[-4:] == value[-4:]
    assert set(masked[1:-4]) <= {"*"}
    assert len(masked) == len(value)


@pytest.mark.parametrize(("value", "expected"), [("", ""), (None, ""), ("12345", "*****"), ("123", "***")])
def test_short_or_missing_id_numbers(value: str | None, expected: str) -> None:
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", "138****8000"),
        ("010-12345678", "010*****5678"),
        ("1234567", "1******"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_keeps_first_three_and_last_four(value: str | None, expected: str) -> None:
    assert mask_phone(value) == expected


def test_name_keeps_the_surname() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("") == ""

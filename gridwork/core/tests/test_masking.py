"""ID numbers show their first character and last four, never the birth date; phones 3 + 4."""

from __future__ import annotations

import pytest

from gridwork.core.masking import has_personal_number, mask_free_text, mask_id_number, mask_name, mask_phone


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


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("身份证110112196005010012，电话13800138000", ["110112196005010012", "13800138000", "19600501"]),
        ("call 138 0013 8000 or 010-12345678", ["0013", "1234"]),
        ("no space:ID11011219600501001Xabc", ["19600501"]),
        ("全角１３８００１３８０００", ["００１３"]),
        ("tel13800138000", ["0013"]),
    ],
)
def test_free_text_hides_id_and_phone_numbers(text: str, hidden: list[str]) -> None:
    masked = mask_free_text(text)
    assert has_personal_number(text)
    for part in hidden:
        assert part not in masked


@pytest.mark.parametrize("text", ["2024年5月1日 第3网格 5号楼201", "门牌 12 号, 金额 1234567 元", "", None])
def test_free_text_without_numbers_is_unchanged(text: str | None) -> None:
    assert mask_free_text(text) == (text or "")
    assert not has_personal_number(text)

"""GB 11643 resident IDs, GB 32100 credit codes, phones and area codes against known good and bad values."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gridwork.core.validators import (
    check_resident_id_agrees,
    credit_code_check_char,
    parse_resident_id,
    resident_id_check_char,
    validate_area_code,
    validate_credit_code,
    validate_phone,
    validate_resident_id,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def credit(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def error_of(check: Callable[[str], object], value: str, language: str) -> ValidationError:
    """The error a check raises, with its messages rendered in the language."""
    with translation.override(language):
        with pytest.raises(ValidationError) as info:
            check(value)
        info.value.rendered = " ".join(info.value.messages)  # type: ignore[attr-defined]
    return info.value


# --- GB 11643 ---------------------------------------------------------------------------------------


def test_textbook_resident_id_is_valid() -> None:
    # The example of GB 11643 itself: Beijing Chaoyang, born 1949-12-31, a woman, check character X.
    assert resident_id_check_char("11010519491231002") == "X"
    assert parse_resident_id("11010519491231002X") == (dt.date(1949, 12, 31), "F")


@pytest.mark.parametrize(
    ("first17", "birth", "sex"),
    [
        ("44030419900101001", dt.date(1990, 1, 1), "M"),
        ("11011219600501011", dt.date(1960, 5, 1), "M"),
        ("65010220000229004", dt.date(2000, 2, 29), "F"),  # a leap day
        ("81000019851111123", dt.date(1985, 11, 11), "M"),  # Hong Kong residence permit
    ],
)
def test_computed_resident_ids_are_valid(first17: str, birth: dt.date, sex: str) -> None:
    value = with_check(first17)
    assert parse_resident_id(value) == (birth, sex)
    validate_resident_id(value)


def test_lower_case_x_is_accepted_as_capital() -> None:
    assert parse_resident_id("11010519491231002x") == (dt.date(1949, 12, 31), "F")
    assert parse_resident_id("  11010519491231002x ") == (dt.date(1949, 12, 31), "F")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "checksum"),  # the textbook number with a wrong check digit
        (with_check("11010519490230002"), "birth_date"),  # 30 February
        (with_check("11010519491331002"), "birth_date"),  # month 13
        (with_check(f"110105{dt.date.today().year + 1}0101002"), "birth_date"),  # born next year
        (with_check("11010518790101002"), "birth_date"),  # before 1880
        (with_check("99010519491231002"), "region"),  # no province 99
        (with_check("00010519491231002"), "region"),
        ("11010519491231002", "format"),  # 17 characters
        ("11010519491231002X1", "format"),  # 19 characters
        ("1101051949123100X2", "format"),  # X not last
        ("11010519491231002Y", "format"),
        ("", "format"),
    ],
)
def test_invalid_resident_ids_are_refused(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_resident_id(value)
    assert info.value.code == code


def test_future_birth_is_judged_against_the_given_day() -> None:
    value = with_check("11010520300101002")
    with pytest.raises(ValidationError):
        parse_resident_id(value, today=dt.date(2029, 12, 31))
    assert parse_resident_id(value, today=dt.date(2030, 1, 1)) == (dt.date(2030, 1, 1), "F")


def test_birth_date_and_sex_must_agree_with_the_id() -> None:
    value = "11010519491231002X"
    assert check_resident_id_agrees(value, dt.date(1949, 12, 31), "F") == []
    assert check_resident_id_agrees(value, None, "") == []
    errors = check_resident_id_agrees(value, dt.date(1949, 12, 30), "M")
    assert [e.code for e in errors] == ["birth_mismatch", "sex_mismatch"]


def test_resident_id_messages_in_both_languages() -> None:
    english = error_of(validate_resident_id, "110105194912310021", "en").rendered
    assert english == "The ID number's check digit is wrong."
    chinese = error_of(validate_resident_id, "110105194912310021", "zh-hans").rendered
    assert CJK.search(chinese), chinese
    assert chinese != english
    assert CJK.search(error_of(validate_resident_id, "123", "zh-hans").rendered)
    with translation.override("zh-hans"):
        mismatch = check_resident_id_agrees("11010519491231002X", dt.date(1950, 1, 1), "M")
        assert all(CJK.search(str(e.messages[0])) for e in mismatch)
    with translation.override("en"):
        mismatch = check_resident_id_agrees("11010519491231002X", dt.date(1950, 1, 1), "M")
        assert [e.messages[0] for e in mismatch] == [
            "The birth date does not match the ID number.",
            "The sex does not match the ID number.",
        ]


# --- GB 32100 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "91350100M000100Y43",  # the commonly cited example
        "91110000802100433B",
        credit("91110112MA0000000"),
        credit("52110112MJ1234567"),  # a social organisation
        "91350100m000100y43",  # lower case is read as capitals
    ],
)
def test_valid_credit_codes(value: str) -> None:
    validate_credit_code(value)


def test_credit_check_char_of_the_example() -> None:
    assert credit_code_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91350100M000100Y44", "checksum"),
        ("91350100M000100Y4A", "checksum"),
        ("91350100I000100Y43", "format"),  # I, O, Z, S and V are not used
        ("91350100O000100Y43", "format"),
        ("91350100Z000100Y43", "format"),
        ("91350100S000100Y43", "format"),
        ("91350100V000100Y43", "format"),
        ("91350100M000100Y4", "format"),  # 17 characters
        ("91350100M000100Y433", "format"),  # 19 characters
        ("91350100M000-00Y43", "format"),
        ("91AB0100M000100Y43", "region"),  # characters 3-8 are a division code
        ("", "format"),
    ],
)
def test_invalid_credit_codes(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_credit_code(value)
    assert info.value.code == code


def test_credit_code_messages_in_both_languages() -> None:
    english = error_of(validate_credit_code, "91350100M000100Y44", "en").rendered
    assert english == "The credit code's check character is wrong."
    chinese = error_of(validate_credit_code, "91350100M000100Y44", "zh-hans").rendered
    assert CJK.search(chinese), chinese
    assert CJK.search(error_of(validate_credit_code, "91350100I000100Y43", "zh-hans").rendered)


# --- phones -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["13800138000", "19912345678", "138 0013 8000", "010-12345678", "01012345678", "(0755)1234567"]
)
def test_valid_phones(value: str) -> None:
    validate_phone(value)


@pytest.mark.parametrize(
    "value",
    ["12345678901", "1380013800", "138001380001", "phone", "", "12345678", "010-123456", "+8613800138000"],
)
def test_invalid_phones(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_phone(value)
    assert info.value.code == "phone"


def test_phone_messages_in_both_languages() -> None:
    assert error_of(validate_phone, "123", "en").rendered.startswith("Enter an 11-digit mobile number")
    assert CJK.search(error_of(validate_phone, "123", "zh-hans").rendered)


# --- area codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["110112", "110112001", "110112001001", "110112001001002", "650102104201"])
def test_valid_area_codes(value: str) -> None:
    validate_area_code(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("11011", "area_code"),
        ("1101120", "area_code"),
        ("1101120011", "area_code"),
        ("1101120010010011", "area_code"),
        ("11011a", "area_code"),
        ("", "area_code"),
        ("990112", "region"),
        ("110112000", "area_code"),  # a level of 000
        ("110112001000001", "area_code"),
    ],
)
def test_invalid_area_codes(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_area_code(value)
    assert info.value.code == code


def test_area_code_messages_in_both_languages() -> None:
    english = error_of(validate_area_code, "1101", "en").rendered
    assert english.startswith("An area code has 6 (district)")
    assert CJK.search(error_of(validate_area_code, "1101", "zh-hans").rendered)

"""Each validation rule, reported with row, column header and a message in the job's language."""

from __future__ import annotations

import pytest

from gridwork.conftest import GRID_A1, make_id
from gridwork.core.validators import resident_id_check_char
from gridwork.registry.models import Person
from gridwork.transfer.columns import get_kind
from gridwork.transfer.tests.conftest import report_rows, run
from gridwork.transfer.tests.helpers import csv_bytes, person_row, unique_id

HH = f"H{GRID_A1}"


def _bad_checksum() -> str:
    good = unique_id(7)
    return good[:17] + ("0" if good[17] != "0" else "1")


def _with(**extra: str) -> dict:
    return person_row(7, HH, **extra)


# (case, row override, column key, English fragment)
PERSON_CASES = [
    ("checksum", {"id_number": _bad_checksum()}, "id_number", "check digit"),
    ("id format", {"id_number": "12345"}, "id_number", "17 digits"),
    ("birth mismatch", {"birth_date": "1999-09-09"}, "birth_date", "birth date does not match"),
    ("sex mismatch", {"sex": "M" if int(unique_id(7)[16]) % 2 == 0 else "F"}, "sex", "sex does not match"),
    ("bad date", {"birth_date": "31/31/2020"}, "birth_date", "valid date"),
    ("bad phone", {"phone": "12345"}, "phone", "mobile number"),
    ("bad code", {"relation": "cousin-ish"}, "relation", "Unknown value"),
    ("required", {"name": ""}, "name", "required"),
    ("unknown grid", {"household_number": "HNEW1", "grid": "110112001001999"}, "grid", "No grid"),
    (
        "unknown building",
        {"household_number": "HNEW2", "building_code": "NOPE", "room": "101"},
        "building_code",
        "No such record",
    ),
    (
        "household of another grid",
        {"household_number": "H110112104201001"},
        "household_number",
        "Already registered in another area",
    ),
    ("against register", {"id_number": ""}, "id_number", "already in the register"),
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    ("case", "override", "key", "fragment"), PERSON_CASES, ids=[c[0] for c in PERSON_CASES]
)
def test_person_rule(district, language, case, override, key, fragment):
    if case == "against register":
        override = {"id_number": district.people[GRID_A1].id_number}
    rows = [person_row(1, HH), _with(**override), person_row(3, HH)]
    job = run(
        district.users["worker_a1"],
        "persons",
        csv_bytes("persons", rows, language),
        mode="check",
        language=language,
    )
    errors = report_rows(job)
    assert job.status == "done" and job.errors_count == len(errors) >= 1
    column = get_kind("persons").columns[[c.key for c in get_kind("persons").columns].index(key)]
    # Row 1 holds the headers, row 2 the notes: the second data row is row 4.
    assert ["4", column.header(language)] in [e[:2] for e in errors], errors
    for error in errors:
        assert error[3]
    if language == "en":
        assert any(fragment in e[3] for e in errors), errors
    assert not Person.objects.filter(name__startswith="导入").exists()


def test_messages_differ_by_language(district):
    rows = [_with(phone="12345")]
    en = report_rows(run(district.users["worker_a1"], "persons", csv_bytes("persons", rows), mode="check"))
    zh = report_rows(
        run(
            district.users["worker_a1"],
            "persons",
            csv_bytes("persons", rows, "zh-hans"),
            mode="check",
            language="zh-hans",
        )
    )
    assert en[0][1] == "phone" and zh[0][1] == "联系电话"
    assert en[0][1] != zh[0][1]


def test_values_in_the_report_are_masked(district):
    bad_id = _bad_checksum()
    job = run(
        district.users["worker_a1"],
        "persons",
        csv_bytes("persons", [_with(id_number=bad_id, phone="1381234")]),
        mode="check",
    )
    values = [e[2] for e in report_rows(job)]
    assert bad_id not in values and bad_id[0] + "*" * 13 + bad_id[-4:] in values
    assert "1381234" not in values


def test_duplicate_inside_the_file(district):
    rows = [person_row(1, HH), person_row(2, HH), person_row(1, HH)]
    errors = report_rows(
        run(district.users["worker_a1"], "persons", csv_bytes("persons", rows), mode="check")
    )
    assert errors == [["5", "ID number", errors[0][2], "Also in row 3 of this file."]]


def test_new_household_and_house_are_created(district):
    rows = [person_row(1, "HNEW", building_code=f"B{GRID_A1}", unit=2, room="502", relation="head")]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows))
    assert job.errors_count == 0 and job.created == 1
    person = Person.objects.get(id_number=unique_id(1))
    assert person.household.number == "HNEW" and person.household.head_id == person.pk
    assert (person.household.house.unit, person.household.house.room, person.household.house.floor) == (
        2,
        "502",
        5,
    )
    assert person.grid_id == GRID_A1


def test_organisation_credit_code_checked(district):
    rows = [{"credit_code": "91110000600037341X", "name": "某公司", "kind": "enterprise", "grid": GRID_A1}]
    errors = report_rows(
        run(district.users["worker_a1"], "organizations", csv_bytes("organizations", rows), mode="check")
    )
    assert errors[0][1] == "credit code" and "check character" in errors[0][3]


def test_building_code_duplicate_against_register(district):
    rows = [{"code": f"B{GRID_A1}", "number": "9", "address": "路", "lon": 116.605, "lat": 39.905}]
    errors = report_rows(
        run(district.users["worker_a1"], "buildings", csv_bytes("buildings", rows), mode="check")
    )
    assert errors[0][:2] == ["3", "building code"] and "already exists" in errors[0][3]


def test_tag_needs_known_group_and_person(district):
    person = district.people[GRID_A1]
    rows = [
        {"id_number": person.id_number, "group_code": "no_such_group", "since": "2024-02-01"},
        {
            "id_number": make_id(__import__("datetime").date(1990, 1, 1), 5, "F"),
            "group_code": "veteran",
            "since": "2024-02-01",
        },
        {
            "id_number": person.id_number,
            "group_code": "veteran",
            "since": "2024-02-01",
            "until": "2023-01-01",
        },
    ]
    errors = report_rows(run(district.users["worker_a1"], "tags", csv_bytes("tags", rows), mode="check"))
    assert [e[:2] for e in errors] == [["3", "key group code"], ["4", "ID number"], ["5", "until"]]


def test_id_check_char_helper_is_the_registers():
    # The tests build their IDs with the register's own check character, not a copy of it.
    assert unique_id(1)[17] == resident_id_check_char(unique_id(1)[:17])

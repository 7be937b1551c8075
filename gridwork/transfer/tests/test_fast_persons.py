"""The shortcut of the person import (fast_persons) against the full path it stands in for."""

from __future__ import annotations

import datetime as dt

import pytest

from gridwork.conftest import GRID_A1, GRID_A2, GRID_B1
from gridwork.core.system import SYSTEM
from gridwork.core.validators import resident_id_check_char
from gridwork.registry.models import Person
from gridwork.transfer import bulk_persons
from gridwork.transfer.columns import get_kind, header_index
from gridwork.transfer.rows import RowInvalid
from gridwork.transfer.tests.conftest import report_rows, run
from gridwork.transfer.tests.helpers import csv_bytes, person_row, unique_id, xlsx_bytes

KIND = get_kind("persons")
HH = f"H{GRID_A1}"


def _with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def _rows(district) -> list[dict]:
    """Good rows in many spellings and bad rows of every kind the shortcut must leave alone."""
    serial = iter(range(100, 200))
    good = unique_id
    wrong_check = good(999)
    return [
        person_row(next(serial), HH),
        person_row(next(serial), HH, relation="户主", sex="", birth_date=""),
        person_row(next(serial), HH, sex="男" if int(good(102)[16]) % 2 else "女"),
        person_row(next(serial), HH, birth_date=f"{unique_id(103)[6:10]}/{unique_id(103)[10:12]}/01"),
        person_row(next(serial), HH, phone="139 0000 1111"),
        person_row(next(serial), HH, phone="010-12345678", ethnicity=" 汉族 ", work="单位", notes="n"),
        person_row(next(serial), HH, phone="12"),
        person_row(next(serial), "", household_number="", grid=GRID_A2),
        person_row(next(serial), "", household_number="", grid="110112001001999"),
        person_row(next(serial), "", household_number=""),
        person_row(next(serial), "", household_number="", grid=GRID_B1),
        person_row(next(serial), f"H{GRID_B1}"),
        person_row(next(serial), "HNOTYET", grid=GRID_A1),
        person_row(next(serial), HH, id_number=wrong_check[:17] + ("0" if wrong_check[17] != "0" else "1")),
        person_row(next(serial), HH, id_number=_with_check("99011219900101001")),
        person_row(next(serial), HH, id_number=_with_check("11011218700101001")),
        person_row(next(serial), HH, id_number=_with_check("11011219900230001")),
        person_row(next(serial), HH, id_number=_with_check("11011299990101001")),
        person_row(next(serial), HH, id_number="12345"),
        person_row(
            next(serial), HH, id_type="passport", id_number="E1234567", sex="F", birth_date="1990-01-01"
        ),
        person_row(next(serial), HH, birth_date="1999-09-09"),
        person_row(next(serial), HH, sex="M" if int(good(121)[16]) % 2 == 0 else "F"),
        person_row(next(serial), HH, name="长" * 51),
        person_row(next(serial), HH, name="  "),
        person_row(next(serial), HH, name="'=1+1"),
        person_row(next(serial), HH, work="w" * 101),
        person_row(next(serial), HH, ethnicity="族" * 21),
        person_row(next(serial), HH, relation="cousin"),
        person_row(next(serial), HH, status="deceased", political_status="party_member", education="college"),
        person_row(next(serial), HH, unit="x"),
        person_row(next(serial), HH, id_number=district.people[GRID_A1].id_number),
    ]


def _cells(rows: list[dict]) -> list[list]:
    return [["" if row.get(c.key) is None else row.get(c.key) for c in KIND.columns] for row in rows]


def _importer(actor, *, update: bool = False) -> bulk_persons.PersonBulkImport:
    return bulk_persons.PersonBulkImport(
        KIND,
        header_index(KIND, KIND.headers("en")),
        actor,
        job_id=0,
        update=update,
        write=False,
        report=lambda number, errors, cells: None,
        tick=lambda: None,
    )


def _full_path(importer, cells: list) -> list | None:
    """The insert parameters the full path gives a row, or None when it refuses it or goes row by row."""
    values, errors = importer.parser.parse(cells)
    if errors:
        return None
    try:
        outcome = importer._check(values, {})
    except RowInvalid:
        return None
    if outcome is None or outcome[0] != "create":
        return None
    return importer._params(outcome[1])


@pytest.mark.parametrize("who", ["system", "worker_a1", "centre_a"])
def test_the_shortcut_accepts_only_what_the_full_path_accepts_with_the_same_values(district, who):
    actor = SYSTEM if who == "system" else district.users[who]
    importer = _importer(actor)
    cells = _cells(_rows(district))
    # Spreadsheet types as openpyxl gives them: numbers and dates instead of text.
    typed = []
    for row in cells[:6]:
        row = list(row)
        row[KIND.columns.index(next(c for c in KIND.columns if c.key == "unit"))] = 2
        birth = row[[c.key for c in KIND.columns].index("birth_date")]
        if birth and "-" in str(birth):
            row[[c.key for c in KIND.columns].index("birth_date")] = dt.datetime.fromisoformat(birth)
        typed.append(row)
    accepted = refused = 0
    for row in cells + typed:
        for _twice in range(2):  # the second time from the memos
            quick = importer.fast(row)
            full = _full_path(importer, row)
            if quick is None:
                refused += 1
                continue
            accepted += 1
            assert quick == full, row
    assert accepted >= 8 and refused >= 20


def test_a_short_row_and_a_missing_column_take_the_full_path(district):
    importer = _importer(SYSTEM)
    row = _cells([person_row(1, HH)])[0]
    assert importer.fast(row) is not None
    assert importer.fast(row[:-1]) is None
    headers = [h for h in KIND.headers("en") if h != "birth date"]
    partial = bulk_persons.PersonBulkImport(
        KIND,
        header_index(KIND, headers),
        SYSTEM,
        job_id=0,
        update=False,
        write=False,
        report=lambda *args: None,
        tick=lambda: None,
    )
    cells = [v for v, h in zip(row, KIND.headers("en"), strict=True) if h != "birth date"]
    assert partial.fast(cells) == _full_path(partial, cells)


@pytest.mark.parametrize("name", ["f.csv", "f.xlsx"])
def test_bad_rows_between_good_ones_are_reported_by_row_and_column(district, name):
    rows = [person_row(i, HH) for i in range(1, 8)]
    rows[2]["phone"] = "nope"
    rows[4]["birth_date"] = "1999-09-09"
    content = csv_bytes("persons", rows) if name.endswith(".csv") else xlsx_bytes("persons", rows)
    job = run(district.users["worker_a1"], "persons", content, name=name)
    # The CSV has the notes row under the header, the XLSX not: data start on row 3 or row 2.
    first = 3 if name.endswith(".csv") else 2
    assert [e[:2] for e in report_rows(job)] == [
        [str(first + 2), "phone"],
        [str(first + 4), "birth date"],
    ]
    assert (job.created, job.written) == (0, False)
    assert not Person.objects.filter(name__startswith="导入").exists()


def test_written_people_are_those_of_the_full_path(district, monkeypatch):
    rows = [
        person_row(1, HH, relation="head", sex="", birth_date="", phone="13900001111"),
        person_row(2, HH, relation="spouse", phone="139 0000 2222"),
        person_row(3, "", household_number="", grid=GRID_A2, ethnicity="汉族", work="单位"),
    ]
    job = run(district.users["centre_a"], "persons", csv_bytes("persons", rows))
    assert (job.errors_count, job.created) == (0, 3)
    people = {p.id_number: p for p in Person.objects.filter(name__startswith="导入")}
    first, second, third = (people[unique_id(i)] for i in (1, 2, 3))
    born = dt.date(int(unique_id(1)[6:10]), int(unique_id(1)[10:12]), int(unique_id(1)[12:14]))
    assert (first.birth_date, first.sex, first.phone, first.relation) == (
        born,
        "M" if int(unique_id(1)[16]) % 2 else "F",
        "13900001111",
        "head",
    )
    assert (first.household_id, first.grid_id, first.status, first.id_type) == (
        district.households[GRID_A1].pk,
        GRID_A1,
        "living",
        "resident_id",
    )
    assert second.phone == "13900002222"  # through the full path: the spaces are taken out
    assert (third.grid_id, third.household_id, third.ethnicity, third.work) == (GRID_A2, None, "汉族", "单位")
    assert first.updated_at is not None and first.updated_at == third.updated_at
    assert first.pk < second.pk < third.pk  # file order

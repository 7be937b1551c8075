"""The bulk person import: the verdicts of save_record, all or nothing across batches, history, counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction

from gridwork.conftest import GRID_A1, GRID_A2, GRID_B1
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.registry import counts
from gridwork.registry.models import AreaCount, Household, Person
from gridwork.transfer import person_check, services
from gridwork.transfer.columns import get_kind, header_index
from gridwork.transfer.rows import RowInvalid, apply_row, parse_row
from gridwork.transfer.tests.conftest import report_rows, run
from gridwork.transfer.tests.helpers import csv_bytes, person_row, unique_id

HH = f"H{GRID_A1}"
KIND = get_kind("persons")


def _bad_checksum() -> str:
    good = unique_id(40)
    return good[:17] + ("0" if good[17] != "0" else "1")


def _parity_rows(district) -> list[dict]:
    living = district.people[GRID_A1].id_number
    return [
        person_row(41, HH),
        person_row(42, HH, relation="spouse", phone="139 0000 1111", birth_date=None),
        person_row(43, None, grid=GRID_A2, household_number=""),
        person_row(40, HH, id_number=_bad_checksum()),
        person_row(44, HH, id_number="12345", phone="12"),
        person_row(45, HH, birth_date=dt.date(1999, 9, 9)),
        person_row(46, HH, sex="M" if int(unique_id(46)[16]) % 2 == 0 else "F"),
        person_row(47, HH, id_type="passport", id_number="AB"),
        person_row(48, HH, id_type="passport", id_number="E1234567"),
        person_row(49, HH, id_type="passport", id_number="E7654321", sex="F", birth_date=dt.date(1990, 1, 1)),
        person_row(50, HH, name="长" * 51, work="w" * 101),
        person_row(51, HH, id_number=living),
        person_row(52, HH, id_number=district.people[GRID_A2].id_number, status="deceased"),
        person_row(53, "", grid="110112001001999", household_number=""),
        person_row(54, "", household_number=""),
        person_row(55, "", grid=GRID_B1, household_number=""),
        person_row(56, f"H{GRID_B1}"),
        person_row(57, HH, ethnicity="族" * 21),
    ]


def _old_verdict(actor, values: dict) -> dict[str, list[str]]:
    """What the row-by-row path (save_record) says about a row; nothing is kept."""
    try:
        with transaction.atomic():
            apply_row(KIND, actor, values, False)
            raise RowInvalid({})  # undo the write
    except RowInvalid as exc:
        return exc.errors


def _bulk_verdicts(actor, rows: list[list]) -> dict[int, dict[str, list[str]]]:
    found: dict[int, dict[str, list[str]]] = {}
    importer = person_check.PersonCheck(
        KIND,
        header_index(KIND, KIND.headers("en")),
        actor,
        update=False,
        report=lambda number, errors, cells: found.__setitem__(number, errors),
        tick=lambda: None,
        spool=None,
    )
    for number, cells in enumerate(rows, start=1):
        importer.feed(number, cells)
    importer.finish()
    return found


@pytest.mark.parametrize("who", ["worker_a1", "centre_a"])
def test_bulk_rules_give_the_same_verdicts_as_save_record(district, who):
    actor = district.users[who]
    rows = _parity_rows(district)
    cells = [["" if row.get(c.key) is None else row.get(c.key) for c in KIND.columns] for row in rows]
    cells = [[v.isoformat() if isinstance(v, dt.date) else v for v in row] for row in cells]
    index = header_index(KIND, KIND.headers("en"))
    bulk = _bulk_verdicts(actor, cells)
    verdicts = []
    for number, row in enumerate(cells, start=1):
        values = parse_row(KIND, index, row)
        old = _old_verdict(actor, values)
        new = bulk.get(number, {})
        verdicts.append(bool(old))
        assert {k: sorted(v) for k, v in new.items()} == {k: sorted(v) for k, v in old.items()}, (number, row)
    # The set covers good rows and bad ones of every stage (reference, grid, scope, rules).
    assert verdicts.count(False) >= 4 and verdicts.count(True) >= 10
    assert not Person.objects.filter(name__startswith="导入").exists()


def test_all_or_nothing_across_batches(district, monkeypatch):
    monkeypatch.setattr(person_check, "BATCH_ROWS", 3)
    rows = [person_row(i, HH) for i in range(1, 11)]
    rows[7]["phone"] = "nope"
    rows[8]["id_number"] = unique_id(2)
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows))
    assert (job.errors_count, job.created, job.written) == (2, 0, False)
    errors = report_rows(job)
    assert [e[:2] for e in errors] == [["10", "phone"], ["11", "ID number"]]
    assert errors[1][3] == "Also in row 4 of this file."
    # Earlier batches were written before the bad row was read: they are rolled back with it.
    assert not Person.objects.filter(name__startswith="导入").exists()
    assert not RecordHistory.objects.filter(object_type="transfer.importjob").exists()


def test_many_batches_with_history_counts_and_heads(district, monkeypatch):
    monkeypatch.setattr(person_check, "BATCH_ROWS", 4)
    headless = Household.objects.create(number="HEMPTY", grid_id=GRID_A2)
    rows = [person_row(i, HH, political_status="party_member" if i % 3 == 0 else "") for i in range(1, 10)]
    rows += [person_row(20, "HEMPTY", relation="head"), person_row(21, "HEMPTY", relation="head")]
    job = run(district.users["centre_a"], "persons", csv_bytes("persons", rows))
    assert (job.errors_count, job.created, job.rows_ok) == (0, 11, 11)
    headless.refresh_from_db()
    assert headless.head.id_number == unique_id(20)
    summaries = RecordHistory.objects.filter(object_type="transfer.importjob", object_id=str(job.pk))
    assert sorted(s.after["created"] for s in summaries) == [3, 4, 4]
    assert [h for s in summaries for h in s.after["household_heads"]] == [[headless.pk, headless.head_id]]
    assert AuditEvent.objects.filter(object_type="transfer.importjob", object_id=str(job.pk)).count() == 1
    # The summary counts stay exact: the same as counting the register from scratch.
    stored = Counter(
        {
            (row.area_code, row.metric): row.value
            for row in AreaCount.objects.filter(area_code__in=[GRID_A1, GRID_A2])
            if row.value
        }
    )
    recount = Counter({k: v for k, v in counts.count_by_grid().items() if k[0] in (GRID_A1, GRID_A2) and v})
    assert stored == recount and stored[(GRID_A1, counts.PEOPLE)] == 10


def test_update_mode_writes_history_per_record_and_keeps_counts(district):
    person = district.people[GRID_A1]
    rows = [
        {
            "household_number": "",
            "grid": "",
            "name": "新名",
            "id_number": person.id_number,
            "status": "moved_out",
        },
        person_row(1, HH),
    ]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows), mode="update")
    assert (job.errors_count, job.created, job.updated) == (0, 1, 1)
    person.refresh_from_db()
    assert (person.name, person.status, person.grid_id, person.household_id) == (
        "新名",
        "moved_out",
        GRID_A1,
        district.households[GRID_A1].pk,
    )
    entry = RecordHistory.objects.get(
        object_type="registry.person", object_id=str(person.pk), action="update"
    )
    assert entry.before == {"name": "测试1", "status": "living"} and entry.after["status"] == "moved_out"
    stored = dict(AreaCount.objects.filter(area_code=GRID_A1).values_list("metric", "value"))
    recount = {m: v for (g, m), v in counts.count_by_grid().items() if g == GRID_A1}
    assert {m: stored.get(m, 0) for m in recount} == recount


def test_update_of_a_person_out_of_scope_is_refused_per_row(district):
    outsider = district.people[GRID_B1]
    rows = [person_row(1, HH), {"grid": GRID_A1, "name": "x", "id_number": outsider.id_number}]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows), mode="update")
    # Not visible to the worker: not matched, so a new person with a living person's ID number.
    assert [e[1] for e in report_rows(job)] == ["ID number"]
    rows = [{"household_number": HH, "name": "x", "id_number": district.people[GRID_A1].id_number}]
    # Centre A sees and changes grid A: matched and updated. A worker of grid A2 does not see the
    # person of grid A1, so the row is a second living person with that ID number.
    job = run(district.users["centre_a"], "persons", csv_bytes("persons", rows), mode="update")
    assert (job.errors_count, job.updated) == (0, 1)
    rows = [{"grid": GRID_A2, "name": "x", "id_number": district.people[GRID_A1].id_number}]
    job = run(district.users["worker_a2"], "persons", csv_bytes("persons", rows), mode="update")
    assert [e[1] for e in report_rows(job)] == ["ID number"]


def test_scope_is_checked_per_row(district):
    rows = [
        person_row(1, HH),
        person_row(2, "", household_number="", grid=GRID_B1),
        person_row(3, f"H{GRID_B1}"),
        person_row(4, "", household_number="", grid=GRID_A2),
    ]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows), mode="check")
    errors = report_rows(job)
    assert [e[:2] for e in errors] == [["4", "grid code"], ["5", "household number"], ["6", "grid code"]]
    assert errors[0][3] == errors[2][3] == "You may not do this in this area."
    job = run(district.users["centre_a"], "persons", csv_bytes("persons", rows), mode="check")
    assert [e[:2] for e in report_rows(job)] == [["4", "grid code"], ["5", "household number"]]


def test_new_household_rows_then_members_in_the_same_batch(district):
    rows = [
        person_row(1, "HNEW", grid=GRID_A1, relation="head"),
        person_row(2, "HNEW", relation="spouse"),
        person_row(3, "HNEW", relation="head"),
    ]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows))
    assert (job.errors_count, job.created) == (0, 3)
    household = Household.objects.get(number="HNEW")
    assert household.head.id_number == unique_id(1) and household.members.count() == 3


def test_the_error_report_stops_at_the_cap(district, monkeypatch):
    monkeypatch.setattr(services, "ERROR_CAP", 3)
    rows = [person_row(i, HH, phone="bad") for i in range(1, 8)]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows), mode="check")
    errors = report_rows(job)
    assert len(errors) == 4 and "More than 3 errors" in errors[-1][3]


def test_update_moving_a_person_moves_its_tags(district):
    person = district.people[GRID_A1]
    rows = [{"household_number": f"H{GRID_A2}", "name": person.name, "id_number": person.id_number}]
    job = run(district.users["centre_a"], "persons", csv_bytes("persons", rows), mode="update")
    assert (job.errors_count, job.updated) == (0, 1)
    person.refresh_from_db()
    assert person.grid_id == GRID_A2 and set(person.tags.values_list("grid_id", flat=True)) == {GRID_A2}
    assert RecordHistory.objects.filter(object_type="registry.persontag", action="move").count() == 2
    stored = dict(AreaCount.objects.filter(area_code=GRID_A2).values_list("metric", "value"))
    recount = {m: v for (g, m), v in counts.count_by_grid().items() if g == GRID_A2}
    assert {m: stored.get(m, 0) for m in recount} == recount

"""A person file is checked whole, then written in short transactions; a write stopped half-way is undone."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.utils import timezone

from gridwork.conftest import GRID_A1, GRID_A2
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.core.system import SYSTEM
from gridwork.registry import counts
from gridwork.registry import services as registry
from gridwork.registry.models import AreaCount, Household, Person, PersonTag
from gridwork.transfer import person_check, person_undo, person_write, services
from gridwork.transfer.columns import get_kind
from gridwork.transfer.models import ImportJob
from gridwork.transfer.tests.conftest import report_rows, run
from gridwork.transfer.tests.helpers import csv_bytes, person_row, unique_id, xlsx_bytes

HH = f"H{GRID_A1}"


def _exact_counts(*grids: str) -> bool:
    """The stored summary counts of the grids are those of counting the register from scratch."""
    stored = Counter(
        {(r.area_code, r.metric): r.value for r in AreaCount.objects.filter(area_code__in=grids) if r.value}
    )
    recount = Counter({k: v for k, v in counts.count_by_grid().items() if k[0] in grids and v})
    return stored == recount


def _queued(actor, rows: list[dict], mode: str = "all_or_nothing") -> ImportJob:
    content = io.BytesIO(csv_bytes("persons", rows))
    return services.start_import(actor, "persons", content, "f.csv", mode, "en", enqueue=False)


def _failing_at(monkeypatch, batch: int) -> None:
    """The writer's `batch`-th batch raises, inside its transaction."""
    original = person_write.PersonWrite._write
    calls = {"n": 0}

    def write(self, spooled):
        calls["n"] += 1
        if calls["n"] == batch:
            raise RuntimeError("injected failure")
        return original(self, spooled)

    monkeypatch.setattr(person_write.PersonWrite, "_write", write)


def _after_first_batch(monkeypatch, action) -> None:
    """`action()` once the writer's first batch has committed, before the second begins."""
    original = services.Progress.wrote
    done = []

    def wrote(self, written):
        if not done:
            done.append(written)
            action()
        original(self, written)

    monkeypatch.setattr(services.Progress, "wrote", wrote)


# --- reading and checking ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["f.csv", "f.xlsx"])
def test_bad_rows_between_good_ones_are_reported_by_row_and_column(district, name):
    rows = [person_row(i, HH) for i in range(1, 8)]
    rows[2]["phone"] = "nope"
    rows[4]["birth_date"] = "1999-09-09"
    content = csv_bytes("persons", rows) if name.endswith(".csv") else xlsx_bytes("persons", rows)
    job = run(district.users["worker_a1"], "persons", content, name=name)
    # The CSV has the notes row under the header, the XLSX not: data start on row 3 or row 2.
    first = 3 if name.endswith(".csv") else 2
    assert [e[:2] for e in report_rows(job)] == [[str(first + 2), "phone"], [str(first + 4), "birth date"]]
    assert (job.created, job.written) == (0, False)
    assert not Person.objects.filter(name__startswith="导入").exists()


def test_written_people_have_the_values_of_their_rows(district):
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
    assert second.phone == "13900002222"  # the spaces are taken out
    assert (third.grid_id, third.household_id, third.ethnicity, third.work) == (GRID_A2, None, "汉族", "单位")
    assert first.updated_at is not None and first.updated_at == third.updated_at
    assert first.pk < second.pk < third.pk  # file order


def test_a_short_row_and_a_missing_column(district):
    kind = get_kind("persons")
    headers = [h for h in kind.headers("en") if h != "birth date"]
    row = person_row(1, HH)
    cells = [row.get(c.key, "") for c in kind.columns if c.header("en") != "birth date"]
    short = [person_row(2, HH).get(c.key, "") for c in kind.columns][:9]  # up to the ID number
    content = "\n".join(",".join(map(str, line)) for line in (headers, cells, short)).encode()
    job = run(district.users["worker_a1"], "persons", content)
    assert (job.errors_count, job.created) == (0, 2)
    person = Person.objects.get(id_number=unique_id(1))
    assert person.birth_date.isoformat().replace("-", "") == unique_id(1)[6:14]


def test_person_columns_are_keyed_by_the_field_they_fill():
    # person_check lays a row's values over the record as they are.
    assert all(column.field in ("", column.key) for column in get_kind("persons").columns)


def test_nothing_is_written_while_the_file_is_checked(district, monkeypatch):
    monkeypatch.setattr(person_check, "BATCH_ROWS", 2)
    seen = []
    original = person_check.PersonCheck._check_batch

    def check(self):
        seen.append(Person.objects.filter(name__startswith="导入").count())
        original(self)

    monkeypatch.setattr(person_check.PersonCheck, "_check_batch", check)
    job = run(
        district.users["worker_a1"], "persons", csv_bytes("persons", [person_row(i, HH) for i in range(7)])
    )
    assert job.created == 7 and seen == [0, 0, 0, 0]
    assert RecordHistory.objects.filter(object_type="transfer.importjob", action="import").count() == 4


# --- a write that stops half-way --------------------------------------------------------------


def test_a_failure_in_the_middle_of_writing_undoes_the_batches_before_it(district, monkeypatch):
    monkeypatch.setattr(person_check, "BATCH_ROWS", 3)
    headless = Household.objects.create(number="HEMPTY", grid_id=GRID_A2)
    rows = [person_row(i, HH, political_status="party_member" if i % 2 else "") for i in range(1, 8)]
    rows.insert(1, person_row(20, "HEMPTY", relation="head"))
    rows.append(person_row(21, "HNEW", grid=GRID_A2))
    _failing_at(monkeypatch, batch=3)
    job = _queued(district.users["centre_a"], rows)
    with pytest.raises(RuntimeError, match="injected"):
        services.run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created, job.written) == ("failed", 0, False)
    assert "undone" in job.message
    assert not Person.objects.filter(name__startswith="导入").exists()
    headless.refresh_from_db()
    assert headless.head_id is None
    assert _exact_counts(GRID_A1, GRID_A2)
    history = RecordHistory.objects.filter(object_type="transfer.importjob", object_id=str(job.pk))
    assert history.filter(action="import").count() == 2 and history.filter(action="undo").count() == 2
    assert AuditEvent.objects.filter(object_type="transfer.importjob", object_id=str(job.pk)).count() == 1


def test_a_new_household_made_by_the_import_is_undone_with_it(district, monkeypatch):
    monkeypatch.setattr(person_check, "BATCH_ROWS", 2)
    rows = [
        person_row(1, "HNEW", building_code=f"B{GRID_A1}", unit=2, room="502", relation="head"),
        person_row(2, "HNEW"),
        person_row(3, HH),
    ]
    _failing_at(monkeypatch, batch=2)
    job = _queued(district.users["worker_a1"], rows)
    with pytest.raises(RuntimeError):
        services.run_import(job.pk)
    assert not Household.objects.filter(number="HNEW").exists()
    assert not district.buildings[GRID_A1].houses.filter(unit=2, room="502").exists()
    assert not Person.objects.filter(name__startswith="导入").exists()
    assert _exact_counts(GRID_A1)


def test_updated_people_get_their_values_back(district, monkeypatch):
    monkeypatch.setattr(person_check, "BATCH_ROWS", 1)
    person = district.people[GRID_A1]
    before = Person.objects.get(pk=person.pk)
    rows = [
        {
            "household_number": f"H{GRID_A2}",
            "name": "搬走",
            "id_number": person.id_number,
            "status": "moved_out",
        },
        person_row(1, HH),
    ]
    _failing_at(monkeypatch, batch=2)
    job = _queued(district.users["centre_a"], rows, mode="update")
    with pytest.raises(RuntimeError):
        services.run_import(job.pk)
    person.refresh_from_db()
    assert (person.name, person.status, person.grid_id, person.household_id) == (
        before.name,
        before.status,
        GRID_A1,
        before.household_id,
    )
    assert set(PersonTag.objects.filter(person=person).values_list("grid_id", flat=True)) == {GRID_A1}
    assert RecordHistory.objects.filter(
        object_type="registry.person", object_id=str(person.pk), action="undo"
    )
    assert _exact_counts(GRID_A1, GRID_A2)


def test_a_clash_made_after_the_check_is_reported_and_nothing_is_kept(district, monkeypatch):
    monkeypatch.setattr(person_check, "BATCH_ROWS", 2)
    rows = [person_row(i, HH) for i in range(1, 6)]

    def someone_registers_the_third_person():
        registry.save_record(
            SYSTEM,
            Person,
            {"household": district.households[GRID_A1].pk, "name": "网上登记", "id_number": unique_id(3)},
        )

    _after_first_batch(monkeypatch, someone_registers_the_third_person)
    job = _queued(district.users["worker_a1"], rows)
    job = services.run_import(job.pk)
    assert (job.status, job.written, job.created) == ("done", False, 0)
    [error] = report_rows(job)
    assert error[:2] == ["5", "ID number"] and "already in the register" in error[3]
    assert "undone" in job.message
    assert list(Person.objects.filter(name__startswith="导入")) == []
    assert Person.objects.filter(name="网上登记").exists()
    assert _exact_counts(GRID_A1)


def test_an_import_killed_while_writing_is_undone_by_the_next_run(district, monkeypatch):
    monkeypatch.setattr(person_check, "BATCH_ROWS", 2)
    _failing_at(monkeypatch, batch=2)

    def killed(lease, actor):
        raise SystemExit  # as if the process died before it could undo

    monkeypatch.setattr(person_undo, "undo", killed)
    job = _queued(district.users["worker_a1"], [person_row(i, HH) for i in range(1, 5)])
    with pytest.raises(SystemExit):
        services.run_import(job.pk)
    job.refresh_from_db()
    assert job.status == "writing" and Person.objects.filter(name__startswith="导入").count() == 2
    monkeypatch.undo()
    assert services.recover_interrupted_imports() == []  # its writer might still be alive
    ImportJob.objects.filter(pk=job.pk).update(alive_at=timezone.now() - dt.timedelta(hours=1))
    assert services.recover_interrupted_imports() == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.created) == ("failed", 0) and "interrupted" in job.message
    assert not Person.objects.filter(name__startswith="导入").exists()
    assert _exact_counts(GRID_A1)
    assert AuditEvent.objects.filter(object_type="transfer.importjob", object_id=str(job.pk)).count() == 1


def test_a_writer_whose_job_was_taken_over_stops(district, monkeypatch):
    monkeypatch.setattr(person_check, "BATCH_ROWS", 2)
    job = _queued(district.users["worker_a1"], [person_row(i, HH) for i in range(1, 5)])

    def taken_over():
        # Another process found this one silent and claimed the job (see transfer.lease).
        ImportJob.objects.filter(pk=job.pk).update(alive_at=timezone.now() - dt.timedelta(hours=1))

    _after_first_batch(monkeypatch, taken_over)
    job = services.run_import(job.pk)
    # It wrote its first batch, then found the claim gone: it leaves the job to the other process.
    assert job.status == "writing" and Person.objects.filter(name__startswith="导入").count() == 2
    assert services.recover_interrupted_imports() == [job.pk]
    assert not Person.objects.filter(name__startswith="导入").exists()

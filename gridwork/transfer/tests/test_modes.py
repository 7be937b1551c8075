"""Modes, scope, history and audit, job progress, the error report and the command."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from gridwork.conftest import GRID_A1, GRID_B1
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.registry.models import Building, Person
from gridwork.transfer import services
from gridwork.transfer.columns import get_kind, row_for
from gridwork.transfer.models import ImportJob
from gridwork.transfer.tests.conftest import report_rows, run
from gridwork.transfer.tests.helpers import csv_bytes, person_row, unique_id

HH = f"H{GRID_A1}"


def test_check_mode_writes_nothing(district):
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", [person_row(1, HH)]), mode="check")
    assert (job.status, job.errors_count, job.rows_ok, job.created) == ("done", 0, 1, 0)
    assert not Person.objects.filter(id_number=unique_id(1)).exists()


def test_import_writes_history_and_one_audit_entry_per_job(district):
    job = run(
        district.users["worker_a1"], "persons", csv_bytes("persons", [person_row(1, HH), person_row(2, HH)])
    )
    people = sorted(Person.objects.filter(name__startswith="导入").values_list("pk", flat=True))
    # Created people are recorded by one history entry per batch, on the job (see person_write).
    [summary] = RecordHistory.objects.filter(object_type="transfer.importjob", object_id=str(job.pk))
    assert summary.action == "import" and summary.after["created"] == 2
    assert summary.after["ids"] == [people[0], people[-1]] and summary.after["rows"] == [3, 4]
    event = AuditEvent.objects.get(object_type="transfer.importjob", object_id=str(job.pk))
    assert event.actor == district.users["worker_a1"]
    assert event.detail["created"] == 2 and event.detail["mode"] == "all_or_nothing"


def test_update_mode_matches_by_id_number_and_code(district):
    person = district.people[GRID_A1]
    rows = [
        person_row(1, HH),
        {"household_number": HH, "name": "改名", "id_number": person.id_number, "work": "司机"},
    ]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows), mode="update")
    assert (job.errors_count, job.created, job.updated) == (0, 1, 1)
    person.refresh_from_db()
    assert (person.name, person.work, person.political_status) == ("改名", "司机", "party_member")
    # Without update mode the same row is a duplicate against the register.
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows[1:]))
    assert job.errors_count == 1 and "already in the register" in report_rows(job)[0][3]
    building = district.buildings[GRID_A1]
    rows = [
        dict(zip([c.key for c in get_kind("buildings").columns], row_for("buildings", building), strict=True))
    ]
    rows[0]["floors"] = 9
    job = run(district.users["worker_a1"], "buildings", csv_bytes("buildings", rows), mode="update")
    assert (job.errors_count, job.updated) == (0, 1)
    assert Building.objects.get(pk=building.pk).floors == 9


def test_worker_cannot_import_into_another_grid(district):
    rows = [person_row(1, HH), person_row(2, "HNEWB", grid=GRID_B1)]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows))
    errors = report_rows(job)
    assert job.created == 0 and [e[:2] for e in errors] == [["4", "grid code"]]
    assert not Person.objects.filter(id_number=unique_id(1)).exists()
    # A building whose point lies in grid B is out of the worker's scope too.
    rows = [{"code": "BNEW", "number": "1", "address": "路", "lon": 116.705, "lat": 39.805}]
    job = run(district.users["worker_a1"], "buildings", csv_bytes("buildings", rows))
    assert job.errors_count == 1 and not Building.objects.filter(code="BNEW").exists()
    # Community A's acceptance centre changes the register, but not in grid B either.
    job = run(district.users["centre_a"], "buildings", csv_bytes("buildings", rows))
    assert job.errors_count == 1
    job = run(district.users["worker_b1"], "buildings", csv_bytes("buildings", rows))
    assert job.errors_count == 0 and Building.objects.get(code="BNEW").grid_id == GRID_B1


def test_only_register_changers_may_start(district):
    for who in ("nobody", "street_a", "auditor"):
        with pytest.raises(PermissionDenied):
            services.start_import(district.users[who], "persons", io.BytesIO(b"x"), "p.csv", "check", "en")


def test_progress_file_and_report(district, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    seen: list[dict] = []
    original = services._write_progress

    def spy(job, done, total, errors):
        original(job, done, total, errors)
        seen.append(services.read_progress(ImportJob.objects.get(pk=job.pk)))

    monkeypatch.setattr(services, "_write_progress", spy)
    rows = [person_row(i, HH) for i in range(1, 6)]
    # A cell starting with "=" refuses the whole file (test_hostile_files); these other starts a
    # spreadsheet also runs as formulas are values to the import, escaped in the report.
    rows[2]["notes"] = "@SUM(1)"
    rows[2]["phone"] = "+cmd|' /C calc'!A0"
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows))
    assert [p["rows_done"] for p in seen] == [2, 4] and seen[-1]["errors_count"] == 1
    assert services.read_progress(job) == {"rows_done": 5, "rows_total": 5, "errors_count": 1}
    assert not services.progress_path(job).exists()
    [error] = report_rows(job)
    assert error[2].startswith("'+") and error[1] == "phone"
    from openpyxl import load_workbook

    sheet = load_workbook(services.error_report_path(job, "xlsx"), read_only=True).worksheets[0]
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0] == ("row", "column", "value", "problem") and cells[1][2].startswith("'+")


def test_stored_file_name_carries_no_personal_data(district):
    job = run(
        district.users["worker_a1"], "persons", csv_bytes("persons", [person_row(1, HH)]), name="张三.csv"
    )
    assert "张三" not in services.upload_path(job).name and len(job.stored_name) == 32


def test_command(district, tmp_path):
    good = tmp_path / "ok.csv"
    good.write_bytes(csv_bytes("persons", [person_row(1, HH)]))
    out = io.StringIO()
    call_command(
        "import",
        "persons",
        str(good),
        "--mode",
        "all_or_nothing",
        "--user",
        "worker_a1",
        "--language",
        "en",
        stdout=out,
    )
    assert "rows 1/1, errors 0" in out.getvalue() and "created 1" in out.getvalue()
    assert Person.objects.filter(id_number=unique_id(1)).exists()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("persons", [person_row(2, HH, phone="x")]))
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import", "persons", str(bad), "--mode", "all_or_nothing", stdout=out)
    assert "error report:" in out.getvalue() and ".errors.xlsx" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("import", "pets", str(good), stdout=io.StringIO())

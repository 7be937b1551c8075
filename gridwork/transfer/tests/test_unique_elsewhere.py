"""An import row whose ID number, household number or code is registered outside the importer's
areas: the error report says only "Already registered in another area." (no name, no area, no
id), in every mode, and each such check is in the audit log, though the import's refused rows
are rolled back."""

from __future__ import annotations

import pytest

from gridwork.conftest import GRID_A1, GRID_B1, District
from gridwork.core.models import AuditEvent
from gridwork.transfer.tests.conftest import report_rows, run
from gridwork.transfer.tests.helpers import csv_bytes, person_row

HH = f"H{GRID_A1}"
ELSEWHERE = "Already registered in another area."
INSIDE = "A living person with this ID number is already in the register."


def _attempts() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.UNIQUE_ELSEWHERE).order_by("pk"))


@pytest.mark.parametrize("mode", ["check", "all_or_nothing", "update"])
def test_a_person_registered_in_another_area(district: District, mode: str) -> None:
    other = district.people[GRID_B1]
    rows = [person_row(1, HH), person_row(7, HH, id_number=other.id_number)]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows), mode=mode)
    errors = report_rows(job)
    assert [e[:2] + e[3:] for e in errors] == [["4", "ID number", ELSEWHERE]]
    assert errors[0][2] == other.id_number_masked  # the value as the file held it, masked; no more
    [attempt] = _attempts()
    assert attempt.actor_label == "worker_a1"
    assert attempt.object_type == "registry.person" and attempt.object_id == str(other.pk)
    assert attempt.detail == {"field": "id_number"}


def test_a_person_in_ones_own_area_is_named_as_before(district: District) -> None:
    mine = district.people[GRID_A1]
    rows = [person_row(7, HH, id_number=mine.id_number)]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows), mode="check")
    assert [e[3] for e in report_rows(job)] == [INSIDE]
    assert not _attempts()


@pytest.mark.parametrize("mode", ["check", "all_or_nothing"])
def test_a_building_code_registered_in_another_area(district: District, mode: str) -> None:
    other = district.buildings[GRID_B1]
    point = {"lon": 116.605, "lat": 39.905}
    rows = [{"code": other.code, "number": "9", "address": "路", "grid": GRID_A1, **point}]
    job = run(district.users["worker_a1"], "buildings", csv_bytes("buildings", rows), mode=mode)
    assert [e[:2] + e[3:] for e in report_rows(job)] == [["3", "building code", ELSEWHERE]]
    [attempt] = _attempts()  # kept, though the import's transaction was rolled back
    assert attempt.object_type == "registry.building" and attempt.object_id == str(other.pk)
    assert attempt.detail == {"field": "code"}


def test_a_household_number_registered_in_another_area(district: District) -> None:
    other = district.households[GRID_B1]
    rows = [person_row(7, other.number)]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows), mode="all_or_nothing")
    assert [e[:2] + e[3:] for e in report_rows(job)] == [["3", "household number", ELSEWHERE]]
    [attempt] = _attempts()
    assert attempt.object_type == "registry.household" and attempt.object_id == str(other.pk)
    assert attempt.detail == {"field": "number"}

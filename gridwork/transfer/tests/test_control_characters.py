"""Control characters: refused on the way in (forms, API, imports, cases), cleaned on the way out
(XLSX and CSV exports, error reports), so one stored record never breaks a district's export."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from gridwork.api.tests.conftest import API, session_client
from gridwork.cases.tests.helpers import report
from gridwork.conftest import GRID_A1, STREET_A, District
from gridwork.core.validators import strip_control_characters, validate_text
from gridwork.registry.models import Person
from gridwork.transfer import services as transfer
from gridwork.transfer.tests.conftest import report_rows, run
from gridwork.transfer.tests.helpers import csv_bytes, person_row
from gridwork.transfer.tests.test_exports import body, column, csv_rows, page_url, xlsx_rows

HH = f"H{GRID_A1}"


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"])
def test_the_validator_refuses_controls_everywhere(char: str) -> None:
    for multiline in (False, True):
        with pytest.raises(ValidationError):
            validate_text(f"张{char}三", multiline=multiline)


def test_tabs_and_line_breaks_only_in_multiline_text() -> None:
    for char in ("\t", "\n", "\r"):
        validate_text(f"一行{char}两行", multiline=True)
        with pytest.raises(ValidationError):
            validate_text(f"一行{char}两行", multiline=False)
    validate_text("普通的名字 Zhang-San", multiline=False)
    assert strip_control_characters("a\x00b\x1bc\td\ne\x9f") == "abc\td\ne"
    assert strip_control_characters(5) == 5


def test_api_patch_refuses_a_control_character(district: District) -> None:
    person = district.people[GRID_A1]
    client = session_client(district, "worker_a1", **{"Accept-Language": "en"})
    url = f"{API}/persons/{person.pk}"
    response = client.patch(url, {"name": "张\x01三"}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["field"] == "name"
    # A line break in a one-line field is refused; in the notes it is text.
    assert client.patch(url, {"work": "a\nb"}, content_type="application/json").status_code == 422
    assert (
        client.patch(url, {"notes": "第一行\n第二行\t缩进"}, content_type="application/json").status_code
        == 200
    )
    person.refresh_from_db()
    assert person.name != "张\x01三" and person.notes == "第一行\n第二行\t缩进"


def test_case_report_and_action_refuse_control_characters(district: District) -> None:
    with pytest.raises(ValidationError) as refused:
        report(district, title="井盖\x07丢失")
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        report(district, description="描述\x00")
    assert "description" in refused.value.message_dict
    assert report(district, description="第一行\n第二行").description == "第一行\n第二行"


def test_import_refuses_a_control_character_and_its_report_is_clean(district: District) -> None:
    content = csv_bytes("persons", [person_row(31, HH, name="导入\x1b三十一")])
    job = run(district.users["worker_a1"], "persons", content)
    assert job.errors_count == 1 and job.created == 0
    rows = report_rows(job)
    assert rows and all("\x1b" not in cell for row in rows for cell in row)
    assert not Person.objects.filter(name__startswith="导入").exists()
    # The XLSX report is written from the same rows: openpyxl would refuse the character.
    workbook = load_workbook(transfer.error_report_path(job, "xlsx"), read_only=True)
    cells = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row if cell]
    assert any("导入" in str(cell) for cell in cells)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_stored_control_character_never_breaks_an_export(district: District, fmt: str) -> None:
    # As a record stored before input was checked: straight into the table.
    Person.objects.filter(pk=district.people[GRID_A1].pk).update(name="旧\x01记录", work="司机\x0b")
    for who, area in (("worker_a1", GRID_A1), ("street_a", STREET_A)):
        for kind in ("persons", "households"):
            data = body(district.client(who).get(page_url(area, kind, fmt)))
            rows = xlsx_rows(data) if fmt == "xlsx" else csv_rows(data)
            assert all("\x01" not in str(cell) and "\x0b" not in str(cell) for row in rows for cell in row)
            if kind == "persons":
                assert "旧记录" in column(rows, "姓名")

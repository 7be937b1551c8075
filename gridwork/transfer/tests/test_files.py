"""Reading files: encodings, XLSX, and hostile or broken files refused with nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from gridwork.conftest import GRID_A1
from gridwork.core.system import SYSTEM
from gridwork.registry.models import Household, Person
from gridwork.transfer import readers, services
from gridwork.transfer.tests.conftest import report_rows, run
from gridwork.transfer.tests.helpers import csv_bytes, person_row, xlsx_bytes

HH = f"H{GRID_A1}"


def _imported() -> int:
    return Person.objects.filter(name__startswith="导入").count()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(district, encoding):
    content = csv_bytes("persons", [person_row(1, HH), person_row(2, HH)], "zh-hans", encoding=encoding)
    job = run(district.users["worker_a1"], "persons", content)
    assert (job.status, job.errors_count, job.created) == ("done", 0, 2)
    assert set(Person.objects.filter(name__startswith="导入").values_list("name", flat=True)) == {
        "导入1",
        "导入2",
    }


def test_gb18030_is_detected_not_guessed(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("姓名,证件号码\n".encode("gb18030"))
    assert readers.detect_encoding(path) == "gb18030"
    path.write_bytes("\ufeff姓名,证件号码\n".encode())
    assert readers.detect_encoding(path) == "utf-8-sig"


def test_xlsx_import_with_english_headers(district):
    job = run(district.users["worker_a1"], "persons", xlsx_bytes("persons", [person_row(1, HH)]), "p.xlsx")
    assert (job.status, job.errors_count, job.created) == ("done", 0, 1)


def _refused(district, content: bytes, name: str, kind: str = "persons") -> str:
    before = (Person.objects.count(), Household.objects.count())
    job = run(district.users["worker_a1"], kind, content, name)
    assert job.status == "failed" and job.message
    assert (Person.objects.count(), Household.objects.count()) == before
    assert report_rows(job)[0][3] == job.message
    return job.message


def test_text_renamed_xlsx_refused(district):
    assert "not a zip" in _refused(district, b"name,id\nx,y\n", "people.xlsx")


def test_other_zip_renamed_xlsx_refused(district):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an XLSX workbook" in _refused(district, buffer.getvalue(), "people.xlsx")


def test_zip_bomb_refused(district):
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes("persons", [person_row(1, HH)]))) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
        # 64 MB of zeros packs to about 64 KB.
        bomb.writestr("xl/media/zeros.bin", b"\0" * (64 << 20))
    assert len(buffer.getvalue()) < 1 << 20
    assert "zip bomb" in _refused(district, buffer.getvalue(), "people.xlsx")


ENTITY_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
)


def test_xml_entity_expansion_refused(district):
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes("persons", [person_row(1, HH)])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = ENTITY_SHEET.encode() if item.filename.startswith("xl/worksheets/") else source.read(item)
            target.writestr(item, body)
    readers.assert_xml_is_defused()
    assert "XML entities" in _refused(district, buffer.getvalue(), "people.xlsx")


def test_oversized_file_refused_on_upload(district, settings):
    settings.IMPORT_MAX_BYTES = 1000
    content = csv_bytes("persons", [person_row(i, HH) for i in range(1, 40)])
    assert len(content) > 1000
    with pytest.raises(ValidationError, match="larger than the limit"):
        services.start_import(
            district.users["worker_a1"], "persons", io.BytesIO(content), "p.csv", "check", "en"
        )
    assert list(services.imports_dir().iterdir()) == []


def test_missing_required_columns_refused(district):
    message = _refused(district, "姓名,备注\n张三,x\n".encode(), "people.csv")
    assert "ID number" in message and "lacks required columns" in message


def test_unknown_kind_and_type_refused(district):
    with pytest.raises(ValidationError, match="Unknown kind"):
        services.start_import(SYSTEM, "pets", io.BytesIO(b"a"), "p.csv", "check", "en")
    with pytest.raises(ValidationError, match=r"\.xlsx or \.csv"):
        services.start_import(SYSTEM, "persons", io.BytesIO(b"a"), "p.exe", "check", "en")


@pytest.mark.parametrize("name", ["p.csv", "p.xlsx"])
def test_one_bad_row_in_the_middle_writes_nothing(district, name):
    rows = [person_row(i, HH) for i in range(1, 21)]
    rows[10]["phone"] = "not a phone"
    content = csv_bytes("persons", rows) if name.endswith("csv") else xlsx_bytes("persons", rows)
    job = run(district.users["worker_a1"], "persons", content, name)
    assert job.status == "done" and job.errors_count == 1 and job.created == 0 and not job.written
    assert _imported() == 0
    assert report_rows(job)[0][1] == "phone"

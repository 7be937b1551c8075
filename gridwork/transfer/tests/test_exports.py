"""Exports: scoped, masked by default, unmasked only with the reveal permission and a reason,
formula-safe, audited with the row count, and readable back as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.http import HttpResponse
from openpyxl import load_workbook

from gridwork.api.tests.conftest import API, session_client
from gridwork.conftest import COMMUNITY_A, GRID_A1, GRID_A2, GRID_B1, STREET_A, District
from gridwork.core.models import AuditEvent
from gridwork.core.system import SYSTEM
from gridwork.registry import services
from gridwork.registry.models import Organization, Person
from gridwork.transfer.formulas import escape_formula, unescape_formula
from gridwork.transfer.readers import WATERMARK_MARK
from gridwork.web.tests.helpers import assert_login_redirect


def page_url(area: str, kind: str, fmt: str = "csv", **query: str) -> str:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return f"/areas/{area}/export/{kind}/?format={fmt}{extra}"


def body(response: HttpResponse) -> bytes:
    assert response.status_code == 200, (response.status_code, getattr(response, "content", b""))
    return b"".join(response.streaming_content)


def csv_rows(data: bytes) -> list[list[str]]:
    """The rows without the watermark line, which every CSV export ends with."""
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[-1][0].startswith(WATERMARK_MARK), rows[-1]
    return rows[:-1]


def xlsx_rows(data: bytes) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def column(rows: list[list[Any]], header: str) -> list[Any]:
    position = rows[0].index(header)
    return [row[position] for row in rows[1:]]


def last_export() -> AuditEvent:
    return AuditEvent.objects.filter(action="export").order_by("-id").first()


# --- scope ---------------------------------------------------------------------------------------


def test_page_export_ladder(district: District) -> None:
    url = page_url(GRID_A1, "persons")
    assert_login_redirect(district.client(None).get(url))
    assert district.client("nobody").get(url).status_code == 403
    assert district.client("department").get(url).status_code == 403  # sees areas, not the register
    assert district.client("worker_b1").get(url).status_code == 404
    # Grid members keep the register of their grid, but a bulk export is not theirs to take.
    assert district.client("member_a1").get(url).status_code == 403
    # A grid worker asking for the community above their grid: the area is not theirs.
    assert district.client("worker_a1").get(page_url(COMMUNITY_A, "persons")).status_code == 404
    rows = csv_rows(body(district.client("worker_a1").get(url)))
    assert column(rows, "姓名") == [district.people[GRID_A1].name]
    street = csv_rows(body(district.client("street_a").get(page_url(STREET_A, "persons"))))
    assert sorted(column(street, "姓名")) == sorted(district.people[g].name for g in (GRID_A1, GRID_A2))


@pytest.mark.parametrize(
    ("kind", "header", "expected"),
    [
        ("buildings", "楼栋编码", lambda d: [d.buildings[GRID_A1].code]),
        ("houses", "房号", lambda d: [d.houses[GRID_A1].room]),
        ("households", "户号", lambda d: [d.households[GRID_A1].number]),
        ("organizations", "名称", lambda d: [d.orgs[GRID_A1].name]),
        ("objects", "部件编码", lambda d: [d.objects[GRID_A1].code]),
        ("tags", "重点人群代码", lambda d: ["elderly_alone"]),
    ],
)
def test_every_kind_exports_only_the_users_grid(
    district: District, kind: str, header: str, expected: Any
) -> None:
    rows = csv_rows(body(district.client("worker_a1").get(page_url(GRID_A1, kind))))
    assert column(rows, header) == expected(district)


def test_unknown_kind_and_format(district: District) -> None:
    client = district.client("worker_a1")
    assert client.get(page_url(GRID_A1, "secrets")).status_code == 404
    assert client.get(page_url(GRID_A1, "persons", "pdf")).status_code == 400


def test_people_list_filters_apply(district: District) -> None:
    client = district.client("street_a")
    a1 = district.people[GRID_A1]
    rows = csv_rows(body(client.get(page_url(STREET_A, "persons", q=a1.name))))
    assert column(rows, "姓名") == [a1.name]
    rows = csv_rows(body(client.get(page_url(STREET_A, "persons", tag="elderly_alone"))))
    assert column(rows, "姓名") == [a1.name]
    rows = csv_rows(body(client.get(page_url(STREET_A, "persons", status="deceased"))))
    assert rows[1:] == []
    # Listing by a sensitive group would disclose it.
    assert client.get(page_url(STREET_A, "persons", tag="community_correction")).status_code == 403


# --- masking and reveal --------------------------------------------------------------------------


def test_masked_by_default_in_both_formats(district: District) -> None:
    person = district.people[GRID_A1]
    client = district.client("worker_a1")
    data = body(client.get(page_url(GRID_A1, "persons", "csv")))
    assert person.id_number.encode() not in data and person.phone.encode() not in data
    assert person.id_number[6:14].encode() not in data
    rows = csv_rows(data)
    assert column(rows, "证件号码") == [person.id_number_masked]
    assert column(rows, "联系电话") == [person.phone_masked]
    workbook = xlsx_rows(body(client.get(page_url(GRID_A1, "persons", "xlsx"))))
    cells = " ".join(str(value) for row in workbook for value in row)
    assert person.id_number not in cells and person.phone not in cells
    assert column(workbook, "证件号码") == [person.id_number_masked]
    # The sensitive tag is left out of a masked export, as the pages hide it.
    tags = csv_rows(body(client.get(page_url(GRID_A1, "tags"))))
    assert column(tags, "重点人群代码") == ["elderly_alone"]
    assert column(tags, "证件号码") == [person.id_number_masked]
    event = last_export()
    assert event.detail["masked"] is True and event.detail["rows"] == 1


def test_unmasked_with_reveal_and_a_reason_is_audited(district: District) -> None:
    person = district.people[GRID_A1]
    url = f"/areas/{GRID_A1}/export/persons/"
    response = district.client("worker_a1").post(url, {"format": "xlsx", "reason": "户籍核对"})
    rows = xlsx_rows(body(response))
    assert column(rows, "证件号码") == [person.id_number]
    assert column(rows, "联系电话") == [person.phone]
    reveal = AuditEvent.objects.get(action="reveal", object_type="registry.person", area_code=GRID_A1)
    export = last_export()
    assert reveal.reason == export.reason == "户籍核对"
    assert export.detail == {"kind": "persons", "format": "xlsx", "rows": 1, "masked": False, "filters": {}}
    assert export.actor == district.users["worker_a1"]
    tags = csv_rows(
        body(
            district.client("worker_a1").post(
                f"/areas/{GRID_A1}/export/tags/", {"format": "csv", "reason": "走访安排"}
            )
        )
    )
    assert sorted(column(tags, "重点人群代码")) == ["community_correction", "elderly_alone"]


def test_unmasked_refused_without_permission_or_reason(district: District) -> None:
    url = f"/areas/{GRID_A1}/export/persons/"
    before = AuditEvent.objects.filter(action__in=["export", "reveal"]).count()
    # A grid member reads the register but may not reveal.
    assert district.client("member_a1").post(url, {"format": "csv", "reason": "户籍核对"}).status_code == 403
    for reason in ("", "ab"):
        assert district.client("worker_a1").post(url, {"format": "csv", "reason": reason}).status_code == 400
    assert district.client("worker_b1").post(url, {"format": "csv", "reason": "户籍核对"}).status_code == 404
    assert AuditEvent.objects.filter(action__in=["export", "reveal"]).count() == before


# --- formulas, headers, files --------------------------------------------------------------------


def test_formula_escaping() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert escape_formula(text) == "'" + text
        assert unescape_formula(escape_formula(text)) == text
    for value in (-5, -116.6, 0, "普通文字", "1-2", "", None):
        assert escape_formula(value) == value
    # An apostrophe before ordinary text is the user's own and stays.
    assert unescape_formula("'quoted") == "'quoted"


def test_formulas_come_out_escaped_in_both_formats(district: District) -> None:
    person = district.people[GRID_A1]
    services.save_record(SYSTEM, Person, {"notes": "=1+1"}, pk=person.pk)
    services.save_record(SYSTEM, Organization, {"name": "@SUM(A1)"}, pk=district.orgs[GRID_A1].pk)
    client = district.client("worker_a1")
    assert column(csv_rows(body(client.get(page_url(GRID_A1, "persons")))), "备注") == ["'=1+1"]
    people = xlsx_rows(body(client.get(page_url(GRID_A1, "persons", "xlsx"))))
    assert column(people, "备注") == ["'=1+1"]
    orgs = xlsx_rows(body(client.get(page_url(GRID_A1, "organizations", "xlsx"))))
    assert column(orgs, "名称") == ["'@SUM(A1)"]
    # Numbers stay numbers (a coordinate is not a formula, even when negative).
    assert all(isinstance(value, float) for value in column(orgs, "经度"))


def test_headers_follow_the_users_language(district: District) -> None:
    client = district.client("worker_a1")
    client.cookies["django_language"] = "en"
    rows = csv_rows(body(client.get(page_url(GRID_A1, "persons"), headers={"Accept-Language": "en"})))
    assert rows[0][:3] == ["grid code", "household number", "building code"]
    assert "name" in rows[0] and "ID number" in rows[0]


def test_file_name_and_headers_carry_no_personal_data(district: District) -> None:
    response = district.client("worker_a1").get(page_url(GRID_A1, "persons", "xlsx"))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"persons-{GRID_A1}-" in disposition
    assert district.people[GRID_A1].name not in disposition
    assert response["Cache-Control"] == "no-store"
    body(response)


def test_xlsx_keeps_id_numbers_as_text(district: District) -> None:
    person = district.people[GRID_A1]
    response = district.client("worker_a1").post(
        f"/areas/{GRID_A1}/export/persons/", {"format": "xlsx", "reason": "户籍核对"}
    )
    workbook = load_workbook(io.BytesIO(body(response)))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=headers.index("证件号码") + 1)
    assert cell.value == person.id_number and cell.data_type == "s"


# --- API -----------------------------------------------------------------------------------------


def test_api_export_ladder(district: District) -> None:
    url = f"{API}/exports/persons?area={GRID_A1}&format=csv"
    assert session_client(district, None).get(url).status_code == 401
    assert session_client(district, "nobody").get(url).status_code == 403
    assert session_client(district, "worker_b1").get(url).status_code == 404
    assert (
        session_client(district, "worker_a1").get(f"{API}/exports/secrets?area={GRID_A1}").status_code == 404
    )
    for client in (session_client(district, "worker_a1"), session_client(district, "street_a")):
        rows = csv_rows(body(client.get(url)))
        assert column(rows, "姓名") == [district.people[GRID_A1].name]
        assert column(rows, "证件号码") == [district.people[GRID_A1].id_number_masked]
    other = csv_rows(
        body(
            session_client(district, "worker_b1").get(
                f"{API}/exports/organizations?area={GRID_B1}&format=csv"
            )
        )
    )
    assert column(other, "名称") == [district.orgs[GRID_B1].name]


def test_api_unmasked_export_needs_reveal_and_reason(district: District) -> None:
    url = f"{API}/exports/persons"
    payload = {"area": GRID_A1, "format": "csv", "reason": "户籍核对"}
    worker = session_client(district, "worker_a1")
    member = session_client(district, "member_a1")
    assert member.post(url, payload, content_type="application/json").status_code == 403
    assert worker.post(url, {**payload, "reason": "x"}, content_type="application/json").status_code == 422
    rows = csv_rows(body(worker.post(url, payload, content_type="application/json")))
    assert column(rows, "证件号码") == [district.people[GRID_A1].id_number]
    assert last_export().detail["masked"] is False


# --- buttons on the list pages -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "kind"),
    [("people", "persons"), ("organisations", "organizations"), ("objects", "objects")],
)
def test_list_pages_offer_the_export(district: District, page: str, kind: str) -> None:
    export_url = f"/areas/{GRID_A1}/export/{kind}/"
    worker = district.client("worker_a1").get(f"/areas/{GRID_A1}/{page}/").content.decode()
    assert f"{export_url}?format=xlsx" in worker and f"{export_url}?format=csv" in worker
    assert f'action="{export_url}"' in worker  # the unmasked export, with a reason
    member = district.client("member_a1").get(f"/areas/{GRID_A1}/{page}/").content.decode()
    assert f"{export_url}?format=csv" not in member  # a grid member may not take a bulk export
    assert f'action="{export_url}"' not in member


def test_the_people_export_link_carries_the_search(district: District) -> None:
    name = district.people[GRID_A1].name
    response = district.client("worker_a1").get(
        f"/areas/{GRID_A1}/people/", {"q": name}, headers={"HX-Request": "true"}
    )
    assert "format=csv&amp;q=" in response.content.decode()


# --- watermark -----------------------------------------------------------------------------------


def test_every_file_carries_who_took_it_and_its_audit_entry(district: District) -> None:
    client = district.client("worker_a1")
    data = b"".join(client.get(page_url(GRID_A1, "persons")).streaming_content)
    event = last_export()
    mark = data.decode("utf-8-sig").rstrip("\r\n").splitlines()[-1]
    assert mark.startswith(WATERMARK_MARK)
    assert "worker_a1" in mark and str(event.pk) in mark
    assert district.people[GRID_A1].name not in mark

    data = b"".join(client.get(page_url(GRID_A1, "persons", "xlsx")).streaming_content)
    event = last_export()
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    assert "worker_a1" in sheet.oddHeader.center.text and str(event.pk) in sheet.oddHeader.center.text
    assert workbook.properties.creator == "worker_a1"
    about = workbook.worksheets[1]
    assert about["A1"].value.startswith(WATERMARK_MARK) and str(event.pk) in about["A1"].value


def test_a_masked_export_gives_the_birth_year_not_the_date(district: District) -> None:
    """The birth date is the middle of the ID number: beside the masked number it would undo it."""
    person = district.people[GRID_A1]
    client = district.client("worker_a1")
    rows = csv_rows(body(client.get(page_url(GRID_A1, "persons"))))
    assert "出生日期" not in rows[0]
    assert column(rows, "出生年份") == [str(person.birth_date.year)]
    assert person.birth_date.isoformat() not in str(rows)
    sheet = xlsx_rows(body(client.get(page_url(GRID_A1, "persons", "xlsx"))))
    assert column(sheet, "出生年份") == [person.birth_date.year]
    # With the reveal's reason the file is the full record again, as it imports back.
    full = csv_rows(body(client.post(page_url(GRID_A1, "persons"), {"reason": "核对户籍信息"})))
    assert column(full, "出生日期") == [person.birth_date.isoformat()]

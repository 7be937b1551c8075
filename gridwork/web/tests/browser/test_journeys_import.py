"""A community imports a people spreadsheet: with errors first, reads the error report, fixes the file
and imports it; on a phone and a desktop, in Chinese and in English.

The acceptance centre downloads the people template from the imports page, fills it with openpyxl
(synthetic people, valid ID numbers but for the mistakes put in on purpose), uploads it all or
nothing, reads the report of what is wrong, mends the two cells and uploads it again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
from playwright.sync_api import BrowserContext, Page, expect

from gridwork.core.validators import resident_id_check_char
from gridwork.transfer.columns import KINDS
from gridwork.web.tests.browser.journey import checked, combos, new_page, variant
from gridwork.web.tests.browser.server import LiveSite

GRID = "110112001001001"  # in demo_centre's community
PEOPLE_COLUMNS = {column.key: column for column in KINDS["persons"].columns}
WRITTEN = {"en": "3 records created", "zh-hans": "新增 3 条记录"}
NOTHING = {"en": "Nothing was written.", "zh-hans": "未写入任何数据。"}


def _resident_id(birth: dt.date, serial: int) -> str:
    first17 = f"110112{birth:%Y%m%d}{serial:03d}"
    return first17 + resident_id_check_char(first17)


def _people(n: int) -> list[dict[str, str]]:
    """Three synthetic people in two new households of the variant's own numbers."""
    births = [dt.date(1958, n + 1, 11), dt.date(1960, n + 1, 12), dt.date(1985, n + 1, 13)]
    return [
        {
            "grid": GRID,
            "household_number": f"99130{n}{1 if i < 2 else 2}",
            "relation": "spouse" if i == 1 else "head",
            "name": name,
            "id_number": _resident_id(birth, 901 + 2 * i),
            "birth_date": birth.isoformat(),
        }
        for i, (name, birth) in enumerate(zip(("赵明远", "钱秀兰", "孙立新"), births, strict=True))
    ]


def _fill(template: Path, lang: str, people: list[dict[str, str]], target: Path) -> None:
    """The template as a person fills it: their rows under the header and the notes row."""
    book = openpyxl.load_workbook(template)
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    language = "en" if lang == "en" else "zh-hans"
    where = {key: headers.index(PEOPLE_COLUMNS[key].header(language)) for key in people[0]}
    for person in people:
        row = [None] * len(headers)
        for key, value in person.items():
            row[where[key]] = value
        sheet.append(row)
    book.save(target)


def _upload(page: Page, path: Path) -> None:
    page.goto("/imports/")
    page.select_option("#id_kind", "persons")
    page.select_option("#id_mode", "all_or_nothing")
    page.set_input_files("#id_file", str(path))
    page.locator("main form[enctype] button[type=submit]").click()
    expect(page.locator("#job-status")).to_be_visible()


def _households(site: LiveSite, people: list[dict[str, str]]) -> tuple[int, int]:
    first, second = sorted({person["household_number"] for person in people})
    ((households, persons),) = site.query(
        "SELECT count(DISTINCT h.id), count(p.id) FROM registry_household h"
        " LEFT JOIN registry_person p ON p.household_id = h.id WHERE h.number IN (?, ?)",
        first,
        second,
    )
    return households, persons


@combos
def test_a_community_imports_people_fixes_the_errors_the_report_names_and_imports_them(
    site: LiveSite, context_for: Callable[..., BrowserContext], lang: str, width: str, tmp_path: Path
) -> None:
    page, watch = new_page(context_for(width, lang, "demo_centre"), site)
    page.goto("/imports/")
    checked(page, watch, lang, width, "imports")
    with page.expect_download() as download:
        page.locator("a[href$='/imports/templates/persons.xlsx']").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    people = _people(variant(lang, width))
    wrong = [dict(person) for person in people]
    wrong[1]["id_number"] = wrong[1]["id_number"][:17] + ("0" if wrong[1]["id_number"][17] != "0" else "1")
    wrong[2]["birth_date"] = "1985-13-40"
    _fill(template, lang, wrong, tmp_path / "people.xlsx")
    _upload(page, tmp_path / "people.xlsx")
    status = page.locator("#job-status")
    expect(status).to_contain_text(NOTHING[lang])
    checked(page, watch, lang, width, "import-errors")
    assert _households(site, people) == (0, 0), "an all-or-nothing import with errors wrote rows"

    with page.expect_download() as download:
        status.locator("a[href$='/errors.csv']").click()
    report = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(report)))[1:]
    columns = {row[1] for row in rows}
    language = "en" if lang == "en" else "zh-hans"
    assert PEOPLE_COLUMNS["id_number"].header(language) in columns, rows
    assert PEOPLE_COLUMNS["birth_date"].header(language) in columns, rows
    assert wrong[1]["id_number"] not in report, "the report shows an ID number in full"

    _fill(template, lang, people, tmp_path / "people-fixed.xlsx")
    _upload(page, tmp_path / "people-fixed.xlsx")
    expect(page.locator("#job-status")).to_contain_text(WRITTEN[lang])
    checked(page, watch, lang, width, "import-written")
    assert _households(site, people) == (2, 3)

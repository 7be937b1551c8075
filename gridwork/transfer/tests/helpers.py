"""Building import files in tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from gridwork.core.validators import resident_id_check_char
from gridwork.transfer.columns import get_kind


def csv_bytes(kind: str, rows: list[dict[str, Any]], language: str = "en", encoding: str = "utf-8") -> bytes:
    spec = get_kind(kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(spec.headers(language))
    writer.writerow(spec.notes(language))
    for row in rows:
        writer.writerow([row.get(column.key, "") for column in spec.columns])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(kind: str, rows: list[dict[str, Any]], language: str = "en") -> bytes:
    from openpyxl import Workbook

    spec = get_kind(kind)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(spec.headers(language))
    for row in rows:
        sheet.append([row.get(column.key) for column in spec.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def unique_id(serial: int) -> str:
    """A valid synthetic resident ID number, different for every serial (up to millions)."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=serial // 1000)
    first17 = f"110112{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def person_row(serial: int, household: str, **extra: Any) -> dict[str, Any]:
    row = {
        "household_number": household,
        "name": f"导入{serial}",
        "id_number": unique_id(serial),
        "relation": "other",
    }
    row.update(extra)
    return row

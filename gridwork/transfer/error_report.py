"""An import's error report: row, column header, value (personal values masked) and problem.

The rows stream to CSV as they come; the XLSX copy is made from it at the end. Every cell is
formula-escaped, as in every file Gridwork writes for a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from gridwork.core.masking import mask_id_number, mask_phone
from gridwork.core.private_files import create_private, touch_private
from gridwork.core.validators import strip_control_characters
from gridwork.transfer.cells import text
from gridwork.transfer.columns import Column, Kind
from gridwork.transfer.formulas import escape_formula


class TooManyErrors(Exception):
    """The report reached its cap: the check stops there."""


def report_headers() -> list[str]:
    return [_("row"), _("column"), _("value"), _("problem")]


def shown_value(column: Column | None, raw: Any) -> str:
    value = text(raw) if raw is not None else ""
    if column is not None and column.personal and value:
        return mask_phone(value) if "phone" in column.key else mask_id_number(value)
    return value


class ErrorReport:
    def __init__(self, csv_path: Path, xlsx_path: Path, cap: int) -> None:
        self.xlsx_path, self.cap = xlsx_path, cap
        self.count = 0
        self.path = csv_path
        # The rows' values are masked, but the report is still the user's own: private like the upload.
        self.handle = io.TextIOWrapper(create_private(self.path), encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(report_headers())
        self.kind: Kind | None = None
        self.index: dict[str, int] = {}
        self.headers: list[Any] = []

    def add(self, row: int | str, header: str, value: str, message: str) -> None:
        self.count += 1
        # The value is what the file held: control characters and all, which no writer may pass on.
        cells = (row, header, value, message)
        self.writer.writerow([escape_formula(strip_control_characters(v)) for v in cells])

    def for_file(self, kind: Kind, index: dict[str, int], headers: list[Any]) -> None:
        """The file's columns, for `add_row`."""
        self.kind, self.index, self.headers = kind, index, headers

    def add_row(self, number: int, errors: dict[str, list[str]], cells: list[Any]) -> None:
        """A row's errors by column key, each under the file's own header; TooManyErrors at the cap."""
        by_key = {column.key: column for column in self.kind.columns} if self.kind else {}
        for key, messages in errors.items():
            column = by_key.get(key)
            position = self.index.get(key)
            header = text(self.headers[position]) if column is not None and position is not None else ""
            raw = cells[position] if position is not None and position < len(cells) else None
            for message in messages:
                self.add(number, header, shown_value(column, raw), message)
        if self.count >= self.cap:
            raise TooManyErrors

    def add_cap_notice(self) -> None:
        self.add("", "", "", _("More than %(count)s errors; the check stopped here.") % {"count": self.cap})

    def close(self) -> None:
        self.handle.close()
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                sheet.append(row)  # already formula-escaped
        workbook.save(touch_private(self.xlsx_path))

"""Empty import templates per kind: a header row in the user's language and a notes row.

The notes row starts with `columns.NOTES_MARK`, so the importer skips it; a template filled in and
uploaded unchanged otherwise imports as it is.
"""

from __future__ import annotations

import csv
import io

from gridwork.transfer.columns import Kind


def template_csv(kind: Kind, language: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(kind.headers(language))
    writer.writerow(kind.notes(language))
    # The BOM makes spreadsheet programs open the file as UTF-8 rather than a local code page.
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(kind: Kind, language: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=kind.name)
    sheet.append(kind.headers(language))
    sheet.append(kind.notes(language))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_file(kind: Kind, file_format: str, language: str) -> tuple[bytes, str, str]:
    """(content, file name, content type)."""
    if file_format == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return template_xlsx(kind, language), f"{kind.name}-template.xlsx", content_type
    return template_csv(kind, language), f"{kind.name}-template.csv", "text/csv; charset=utf-8"

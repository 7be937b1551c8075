"""Streaming readers of uploaded spreadsheets, and the checks that refuse hostile or broken files.

Nothing here reads a whole file into memory: CSV is decoded through a text wrapper line by line,
XLSX through openpyxl's read-only mode, which parses the sheet XML incrementally. openpyxl parses
with defusedxml whenever it is importable (a dependency of the project), so an entity declaration
in any part of the workbook raises instead of expanding; `assert_xml_is_defused` checks that at
start-up of an import so a missing defusedxml cannot go unnoticed.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

ZIP_MAGIC = b"PK\x03\x04"
# A member that unpacks to more than this many times its packed size is refused: sheet XML packs
# 5-20 times, a zip bomb thousands of times.
MAX_COMPRESSION_RATIO = 200
# Small members (styles, the content-types list) may pack very well and cannot do harm.
RATIO_CHECK_MIN_BYTES = 1 << 20
SNIFF_BYTES = 64 * 1024
# csv refuses longer fields by default (128 KiB); a cell of a register row never needs more.
csv.field_size_limit(1 << 20)

FORMATS = ("csv", "xlsx")
# The first cell of an export's watermark line (gridwork.transfer.exports.watermark): skipped, so an
# exported file imports back. No register value starts so.
WATERMARK_MARK = "# Gridwork export"


class FileRefused(Exception):
    """The file as a whole cannot be imported; the message says why, in the current language."""


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 200 * 1024 * 1024))


def max_unpacked_bytes() -> int:
    return 10 * max_bytes()


def format_of(filename: str) -> str:
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise FileRefused(_("Upload a .xlsx or .csv file."))
    return suffix


def check_size(size: int) -> None:
    if size > max_bytes():
        raise FileRefused(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": max(1, max_bytes() // (1 << 20))}
        )
    if size == 0:
        raise FileRefused(_("The file is empty."))


def check_xlsx_package(path: Path) -> None:
    """A real XLSX: a zip (by its magic bytes), with a workbook, and no member that is a zip bomb.

    The sizes checked are the ones the zip declares; Python's zipfile never unpacks a member past
    its declared size (and fails on a CRC mismatch), so a lying header cannot get around this.
    """
    with path.open("rb") as handle:
        if handle.read(4) != ZIP_MAGIC:
            raise FileRefused(_("This is not an XLSX file (it is not a zip package)."))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused(_("The XLSX file is damaged and cannot be opened.")) from exc
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRefused(_("This zip file is not an XLSX workbook."))
    total = 0
    for member in members:
        total += member.file_size
        packed = max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_MIN_BYTES and member.file_size / packed > MAX_COMPRESSION_RATIO:
            raise FileRefused(_("The XLSX file unpacks to far more than its size (a zip bomb); refused."))
    if total > max_unpacked_bytes():
        raise FileRefused(_("The XLSX file unpacks to more than the size limit; refused."))


def assert_xml_is_defused() -> None:
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        raise RuntimeError("defusedxml must be installed: openpyxl would expand XML entities without it")


def detect_encoding(path: Path) -> str:
    """utf-8-sig when the first chunk is UTF-8 (with or without BOM), else GB18030."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # final=False: a character cut at the chunk's end is not an error.
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


# The first bytes of the binary files most often renamed to .csv, for a message that says what it is.
BINARY_MAGIC = (
    (ZIP_MAGIC, gettext_lazy("a zip package (an XLSX workbook is imported as .xlsx)")),
    (b"\x89PNG\r\n\x1a\n", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"%PDF", gettext_lazy("a PDF document")),
    (b"MZ", gettext_lazy("a Windows program")),
    (b"\x7fELF", gettext_lazy("a program")),
    (b"\x1f\x8b", gettext_lazy("a gzip archive")),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("an old Office file (save it as .xlsx)")),
)


def binary_kind(head: bytes) -> str | None:
    """What a file is when its first bytes show it is not text (a NUL byte or a known magic), else None."""
    for magic, what in BINARY_MAGIC:
        if head.startswith(magic):
            return str(what)
    if b"\0" in head:
        return _("binary data")
    return None


def check_text_file(path: Path) -> None:
    """Refuse a file named .csv whose content is not text: its name is not what is checked."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    what = binary_kind(head)
    if what is not None:
        raise FileRefused(_("This is not a CSV text file: its content is %(what)s.") % {"what": what})


def formula_refused(row_number: int, column: int, value: str) -> FileRefused:
    return FileRefused(
        _(
            "Row %(row)s, column %(column)s holds a formula (%(formula)s): an import takes values only. "
            "Replace the formulas by their values and upload the file again."
        )
        % {"row": row_number, "column": column, "formula": value[:40]}
    )


def _refuse_formulas(row_number: int, row: list[Any]) -> None:
    for position, cell in enumerate(row, start=1):
        if type(cell) is str and cell[:1] == "=":
            raise formula_refused(row_number, position, cell)
        if isinstance(cell, ArrayFormula | DataTableFormula):  # what openpyxl makes of array formulas
            raise formula_refused(row_number, position, str(getattr(cell, "text", "") or "="))


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    check_text_file(path)
    encoding = detect_encoding(path)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        try:
            for number, row in enumerate(csv.reader(text), start=1):
                # One join per row finds a cell starting with "=" (a formula a spreadsheet would
                # run) at C speed; only then are the cells looked at one by one.
                if row and (row[0][:1] == "=" or "\x1f=" in "\x1f".join(row)):
                    _refuse_formulas(number, row)
                yield row
        except UnicodeDecodeError as exc:
            raise FileRefused(_("The CSV file is neither UTF-8 nor GB18030 text.")) from exc
        except csv.Error as exc:
            raise FileRefused(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    import openpyxl

    assert_xml_is_defused()
    check_xlsx_package(path)
    try:
        # data_only=False: a formula cell reads as its formula ("=…"), which is refused; its cached
        # value could be anything the file's author typed.
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds on a broken or hostile file
        raise FileRefused(_("The XLSX file cannot be read: %(error)s") % {"error": _reason(exc)}) from exc
    try:
        sheet = workbook.worksheets[0]
        try:
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = list(row)
                _refuse_formulas(number, cells)
                yield cells
        except FileRefused:
            raise
        except Exception as exc:  # noqa: BLE001
            raise FileRefused(_("The XLSX file cannot be read: %(error)s") % {"error": _reason(exc)}) from exc
    finally:
        workbook.close()


def _reason(exc: Exception) -> str:
    """A short reason; defusedxml's refusals (openpyxl wraps them in a ValueError) get a plain one."""
    seen: Exception | None = exc
    while seen is not None:
        if type(seen).__module__.startswith("defusedxml"):
            return _("it declares XML entities, which are refused")
        seen = seen.__cause__ or seen.__context__
    return type(exc).__name__


def read_rows(path: Path, file_format: str) -> Iterator[tuple[int, list[Any]]]:
    """(spreadsheet row number from 1, cells) for every row that is not entirely blank."""
    if file_format == "csv":
        # CSV cells are all text: a row is blank when its joined text is only whitespace.
        for number, row in enumerate(_csv_rows(path), start=1):
            if "".join(row).strip() and not _is_watermark(row):
                yield number, row
        return
    for number, row in enumerate(_xlsx_rows(path), start=1):
        if any(cell not in (None, "") and str(cell).strip() for cell in row):
            yield number, row


def _is_watermark(row: list[str]) -> bool:
    return row[0].startswith(WATERMARK_MARK) and not "".join(row[1:]).strip()


def estimate_rows(path: Path, file_format: str) -> int:
    """Rows in the file for the progress bar: counted for CSV (bytes only), declared for XLSX."""
    if file_format == "csv":
        count = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                count += chunk.count(b"\n")
        return count
    # Only the <dimension> the sheet declares at its head: openpyxl, finding none, would parse the
    # whole sheet to size it, reading the file twice.
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = sorted(
                n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
            )
            if not sheets:
                return 0
            first = "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in sheets else sheets[0]
            with archive.open(first) as handle:
                head = handle.read(SNIFF_BYTES)
    except Exception:  # noqa: BLE001 — only an estimate; the real read reports the problem
        return 0
    found = _DIMENSION.search(head)
    return int(found.group(1)) if found and found.group(1) else 0


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')

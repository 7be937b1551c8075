"""Exports of register lists to XLSX and CSV: scoped, masked unless revealed, formula-safe, audited.

One service, `start_export`, serves the pages and the API. It checks access, writes the audit
entry (before the first byte leaves, so an interrupted download is still on record), and returns
an `Export` whose rows are read from the database in chunks: a million-row export never sits in
memory. Columns come from `gridwork.transfer.columns`, so an unmasked export imports back.

Every file carries a watermark (who took it, when, and the number of its audit entry): in an
XLSX the workbook's properties, the sheet's printed header and a second sheet; in a CSV a last
line starting with WATERMARK_MARK, which the importer skips, so the file still imports back.

Masking: columns marked `personal` (ID numbers, phones) are masked unless the user holds
register.reveal at the exported area and states a reason, and the birth date shows as its year
(it is the middle of the ID number); sensitive key-people tags are left out of a masked export,
as the pages hide them until revealed.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gridwork.accounts.access import REGISTER_EXPORT, REGISTER_REVEAL, can, has_capability
from gridwork.areas.models import Area
from gridwork.core import audit
from gridwork.core.errors import NotFound
from gridwork.core.language import pick
from gridwork.core.masking import mask_id_number, mask_phone
from gridwork.core.models import AuditEvent
from gridwork.core.system import is_system
from gridwork.core.validators import strip_control_characters
from gridwork.registry.choices import Sensitivity
from gridwork.registry.models import Household, KeyGroup, Person, PersonTag
from gridwork.transfer.columns import KINDS, Column, Kind
from gridwork.transfer.formulas import escape_formula
from gridwork.transfer.readers import WATERMARK_MARK

XLSX, CSV = "xlsx", "csv"
FORMATS = (XLSX, CSV)
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
CHUNK = 2000
BIRTH_DATE = "birth_date"
REASON_MIN = 4
# A text cell starting with one of these is run as a formula by spreadsheet programs.


def _attr(path: str) -> Any:
    def read(record: Any) -> Any:
        value = record
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return ""
        return value

    return read


# Households are not an import kind (the persons import creates them), but a list the user sees.
HOUSEHOLDS = Kind(
    "households",
    Household,
    [
        Column("number", "户号", "household number", from_record=_attr("number")),
        Column("grid", "网格编码", "grid code"),
        Column("building_code", "楼栋编码", "building code", from_record=_attr("house.building.code")),
        Column("unit", "单元", "unit", from_record=_attr("house.unit")),
        Column("room", "房号", "room", from_record=_attr("house.room")),
        Column("head", "户主", "head", from_record=_attr("head.name")),
    ],
    "户",
    "households",
)

EXPORT_KINDS: dict[str, Kind] = {**KINDS, "households": HOUSEHOLDS}

# What each kind reads along with its rows, so a chunk costs one query, not one per row.
_RELATED: dict[str, tuple[str, ...]] = {
    "persons": ("household__house__building",),
    "buildings": ("property_company",),
    "houses": ("building", "owner"),
    "tags": ("person", "group"),
    "households": ("house__building", "head"),
}


@dataclass
class Filters:
    """The people list's filters: part of the name, a key group, a status."""

    q: str = ""
    tag: str = ""
    status: str = ""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("q", self.q), ("tag", self.tag), ("status", self.status)) if v}


@dataclass
class Export:
    kind: Kind
    fmt: str
    area_code: str
    masked: bool
    queryset: models.QuerySet
    rows: int
    language: str
    event: AuditEvent
    headers: list[str] = field(default_factory=list)

    @property
    def filename(self) -> str:
        # Kind, area code and date only: no name, no ID number, nothing personal.
        return f"{self.kind.name}-{self.area_code}-{timezone.localdate():%Y%m%d}.{self.fmt}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.fmt]


def _masked(column: Column, value: Any) -> Any:
    if not value:
        return value
    return mask_phone(str(value)) if "phone" in column.key else mask_id_number(str(value))


def _cell(kind: Kind, column: Column, record: Any, masked: bool) -> Any:
    if column.key == "grid":
        value = getattr(record, "grid_id", "") or ""
    else:
        value = column.from_record(record) if column.from_record else ""
    if isinstance(value, decimal.Decimal):
        value = str(value)
    if masked and column.personal:
        value = _masked(column, value)
    elif masked and column.key == BIRTH_DATE and isinstance(value, dt.date):
        # The birth date is the middle of a resident ID number: beside the masked number it would
        # undo the mask (the area code and the last four are on the same row). The year only.
        value = value.year
    # A control character stored before input refused them would make openpyxl refuse the cell.
    return escape_formula(strip_control_characters(value))


def row_of(export: Export, record: Any) -> list[Any]:
    return [_cell(export.kind, column, record, export.masked) for column in export.kind.columns]


def _queryset(actor: Any, kind: Kind, area_code: str, filters: Filters, masked: bool) -> models.QuerySet:
    qs = kind.model._default_manager.visible_to(actor).in_area(area_code)
    related = _RELATED.get(kind.name)
    if related:
        qs = qs.select_related(*related)
    if kind.model is Person:
        if filters.q:
            qs = qs.filter(name__contains=filters.q)
        if filters.status:
            qs = qs.filter(status=filters.status)
        if filters.tag:
            group = KeyGroup.objects.filter(code=filters.tag).first()
            if group is None:
                return qs.none()
            if group.sensitivity > Sensitivity.NORMAL:
                # A list by a sensitive group discloses it; the pages refuse it too.
                raise PermissionDenied(
                    _("People cannot be listed by a sensitive group; reveal one person at a time.")
                )
            qs = qs.filter(Exists(PersonTag.objects.filter(person=OuterRef("pk"), group=group)))
    elif filters.q and kind.name in ("organizations", "objects"):
        qs = qs.filter(name__contains=filters.q)
    if kind.model is PersonTag and masked:
        qs = qs.filter(group__sensitivity__lte=Sensitivity.NORMAL)
    return qs.order_by("pk")


def start_export(
    actor: Any,
    kind_name: str,
    area_code: str,
    fmt: str = XLSX,
    *,
    filters: Filters | None = None,
    reveal_reason: str = "",
) -> Export:
    """Check access, audit, and prepare the rows of one export (read when the file is written)."""
    if is_system(actor) or not has_capability(actor, REGISTER_EXPORT):
        raise PermissionDenied(_("You may not export the register."))
    kind = EXPORT_KINDS.get(kind_name)
    if kind is None:
        raise NotFound(kind_name)
    if fmt not in FORMATS:
        raise ValidationError({"format": [_("Choose xlsx or csv.")]})
    if not Area.objects.visible_to(actor).filter(code=area_code).exists():
        raise NotFound(Area._meta.verbose_name)
    # Held at the area or above: a grid worker exports their grid, not the community around it.
    if not can(actor, REGISTER_EXPORT, area_code):
        raise PermissionDenied(_("You may not export the register of this area."))
    filters = filters or Filters()
    reason = (reveal_reason or "").strip()
    masked = not reason
    if not masked:
        if not can(actor, REGISTER_REVEAL, area_code):
            raise PermissionDenied(_("You may not see full ID numbers and phones in this area."))
        if len(reason) < REASON_MIN:
            raise ValidationError(
                {"reason": [_("State why you need to see the full data (at least 4 characters).")]}
            )
    qs = _queryset(actor, kind, area_code, filters, masked)
    rows = qs.count()
    detail = {
        "kind": kind.name,
        "format": fmt,
        "rows": rows,
        "masked": masked,
        "filters": filters.as_dict(),
    }
    object_type = kind.model._meta.label_lower
    # Both entries or neither: an unmasked export is never on record without its reveal.
    with transaction.atomic():
        if not masked:
            audit.log(
                AuditEvent.Action.REVEAL,
                actor,
                object_type=object_type,
                area_code=area_code,
                reason=reason[:300],
                detail=detail,
            )
        event = audit.log(
            AuditEvent.Action.EXPORT,
            actor,
            object_type=object_type,
            area_code=area_code,
            reason=reason[:300],
            detail=detail,
        )
    language = get_language() or "zh-hans"
    return Export(kind, fmt, area_code, masked, qs, rows, language, event, _headers(kind, language, masked))


def _headers(kind: Kind, language: str, masked: bool) -> list[str]:
    headers = kind.headers(language)
    if masked:
        headers = [
            pick("出生年份", "birth year", language) if column.key == BIRTH_DATE else header
            for column, header in zip(kind.columns, headers, strict=True)
        ]
    return headers


def watermark(export: Export) -> str:
    """Who took the file, when, and its audit entry: printed on the file so a copy found later
    can be traced. The username, never a person's data; no comma, so the CSV line needs no quotes."""
    actor = export.event.actor
    when = timezone.localtime(export.event.at)
    return _("%(mark)s · by %(user)s · %(when)s · audit entry %(entry)s · %(masking)s") % {
        "mark": WATERMARK_MARK,
        "user": actor.get_username() if actor else "-",
        "when": when.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "entry": export.event.pk,
        "masking": _("ID numbers and phones masked") if export.masked else _("full values, with a reason"),
    }


def records(export: Export) -> Iterator[Any]:
    return export.queryset.iterator(chunk_size=CHUNK)


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def csv_chunks(export: Export) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (so Excel reads Chinese), a chunk of lines at a time."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow(export.headers).encode()
    buffer: list[str] = []
    for record in records(export):
        buffer.append(writer.writerow([_csv_value(v) for v in row_of(export, record)]))
        if len(buffer) >= CHUNK:
            yield "".join(buffer).encode()
            buffer = []
    buffer.append(writer.writerow([watermark(export)]))
    yield "".join(buffer).encode()


def write_xlsx(export: Export) -> IO[bytes]:
    """The workbook in an unnamed temporary file (gone when closed), rewound for reading."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    mark = watermark(export)
    workbook.properties.creator = export.event.actor.get_username() if export.event.actor else ""
    workbook.properties.description = mark
    sheet = workbook.create_sheet(title=export.kind.label(export.language)[:31])
    sheet.oddHeader.center.text = mark.replace("&", "&&")
    sheet.append(export.headers)
    for record in records(export):
        # Plain values: openpyxl stores text as text (an ID number stays exact) and reads a formula
        # only into text starting with "=", which escape_formula has already prefixed.
        sheet.append(row_of(export, record))
    about = workbook.create_sheet(title=_("About this export")[:31])
    about.append([mark])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    workbook.save(handle)
    handle.seek(0)
    return handle


def http_response(export: Export) -> StreamingHttpResponse:
    """The file as a download, streamed: CSV line chunks as they are read, XLSX from its temp file."""
    if export.fmt == CSV:
        response = StreamingHttpResponse(csv_chunks(export), content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    else:
        response = FileResponse(
            write_xlsx(export), as_attachment=True, filename=export.filename, content_type=export.content_type
        )
    response["Cache-Control"] = "no-store"
    response["X-Export-Rows"] = str(export.rows)
    return response

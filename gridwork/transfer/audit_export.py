"""The audit log exported for auditors (XLSX or CSV), filtered by time, user and kind; the export
is itself an audit entry, written before the first byte leaves.

Within the auditor's areas only (accounts.audit_admin.audit_scope). Cells are formula-escaped
like every export (transfer.formulas); ID numbers and phones in the details are masked as in the
back office, and numbers typed into a reason are masked as in free text elsewhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import AUDIT_VIEW, has_capability, scope_codes
from gridwork.accounts.audit_admin import audit_scope, masked_json
from gridwork.core import audit
from gridwork.core.masking import mask_free_text
from gridwork.core.models import AuditEvent
from gridwork.core.system import is_system
from gridwork.transfer.formulas import escape_formula

XLSX, CSV = "xlsx", "csv"
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
CHUNK = 2000


@dataclass
class AuditFilters:
    """The audit log's filters: kind of entry, user (username), from and to (times)."""

    action: str = ""
    actor: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def apply(self, qs: models.QuerySet) -> models.QuerySet:
        if self.action:
            qs = qs.filter(action=self.action)
        if self.actor:
            qs = qs.filter(actor_label=self.actor)
        if self.since:
            qs = qs.filter(at__gte=self.since)
        if self.until:
            qs = qs.filter(at__lte=self.until)
        return qs

    def as_dict(self) -> dict[str, str]:
        values = {
            "action": self.action,
            "actor": self.actor,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in values.items() if value}


def visible_events(actor: Any) -> models.QuerySet:
    query = audit_scope(actor)
    return AuditEvent.objects.filter(query) if query is not None else AuditEvent.objects.none()


@dataclass
class AuditExport:
    fmt: str
    queryset: models.QuerySet
    rows: int
    event: AuditEvent

    @property
    def filename(self) -> str:
        return f"audit-log-{timezone.localdate():%Y%m%d}.{self.fmt}"


def headers() -> list[str]:
    return [
        _("Time"),
        _("Actor"),
        _("Action"),
        _("Record"),
        _("Area code"),
        _("Reason"),
        _("IP address"),
        _("Detail"),
    ]


def row_of(event: AuditEvent) -> list[Any]:
    record = f"{event.object_type}#{event.object_id}" if event.object_type else ""
    cells = [
        timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
        event.actor_label,
        event.action,
        record,
        event.area_code,
        mask_free_text(event.reason),
        event.ip or "",
        json.dumps(masked_json(event.detail), ensure_ascii=False, sort_keys=True) if event.detail else "",
    ]
    return [escape_formula(cell) for cell in cells]


def start_audit_export(actor: Any, filters: AuditFilters, fmt: str = XLSX) -> AuditExport:
    if is_system(actor) or not has_capability(actor, AUDIT_VIEW):
        raise PermissionDenied(_("Only auditors export the audit log."))
    if fmt not in CONTENT_TYPES:
        raise ValidationError({"format": [_("Choose xlsx or csv.")]})
    qs = filters.apply(visible_events(actor)).order_by("at", "id")
    rows = qs.count()
    codes = scope_codes(actor, AUDIT_VIEW)
    event = audit.log(
        AuditEvent.Action.EXPORT,
        actor,
        object_type=AuditEvent._meta.label_lower,
        area_code=codes[0] if len(codes) == 1 else "",
        detail={"format": fmt, "rows": rows, "filters": filters.as_dict()},
    )
    # The rows are read after the entry, so the export never lists itself.
    return AuditExport(fmt, qs.filter(pk__lt=event.pk), rows, event)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(export: AuditExport) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow(headers()).encode()
    buffer: list[str] = []
    for event in export.queryset.iterator(chunk_size=CHUNK):
        buffer.append(writer.writerow(row_of(event)))
        if len(buffer) >= CHUNK:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def write_xlsx(export: AuditExport) -> IO[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Audit log")[:31])
    sheet.append(headers())
    for event in export.queryset.iterator(chunk_size=CHUNK):
        sheet.append(row_of(event))
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    workbook.save(handle)
    handle.seek(0)
    return handle


def http_response(export: AuditExport) -> HttpResponse:
    if export.fmt == CSV:
        response: HttpResponse = StreamingHttpResponse(csv_chunks(export), content_type=CONTENT_TYPES[CSV])
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    else:
        response = FileResponse(
            write_xlsx(export), as_attachment=True, filename=export.filename, content_type=CONTENT_TYPES[XLSX]
        )
    response["Cache-Control"] = "no-store"
    response["X-Export-Rows"] = str(export.rows)
    return response

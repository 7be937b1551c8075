"""Exports over the API: GET a masked file; POST with a reason for the full values (audited)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from gridwork.accounts.permissions import require_second_factor
from gridwork.core.bounds import InputSchema
from gridwork.transfer.exports import Filters, http_response, start_export

router = Router(tags=["exports"])

AREA = Query(..., description="the area to export (its code); rows are scoped to what the caller may see")
FORMAT = Query("xlsx", pattern="^(xlsx|csv)$", description="xlsx or csv")
NAME_PART = Query("", max_length=50, description="persons: part of the name")
GROUP = Query("", max_length=30, description="persons: key group code (not a sensitive one)")
STATUS = Query("", max_length=12, description="persons: living, moved_out or deceased")


class RevealExportIn(InputSchema):
    area: str = Field(max_length=15)
    format: str = Field("xlsx", pattern="^(xlsx|csv)$")
    reason: str = Field(max_length=300, description="why the full ID numbers and phones are needed")
    q: str = Field("", max_length=50)
    tag: str = Field("", max_length=30)
    status: str = Field("", max_length=12)


@router.get("/exports/{kind}", summary="Export a register list (ID numbers and phones masked)")
def export_masked(
    request: HttpRequest,
    kind: str,
    area: str = AREA,
    format: str = FORMAT,  # noqa: A002 (the query parameter's public name)
    q: str = NAME_PART,
    tag: str = GROUP,
    status: str = STATUS,
) -> Any:
    require_second_factor(request.user)
    export = start_export(request.user, kind, area, format, filters=Filters(q.strip(), tag, status))
    return http_response(export)


@router.post("/exports/{kind}", summary="Export a register list unmasked, for a stated reason (audited)")
def export_revealed(request: HttpRequest, kind: str, payload: RevealExportIn) -> Any:
    require_second_factor(request.user)
    export = start_export(
        request.user,
        kind,
        payload.area,
        payload.format,
        filters=Filters(payload.q.strip(), payload.tag, payload.status),
        reveal_reason=payload.reason,
    )
    return http_response(export)

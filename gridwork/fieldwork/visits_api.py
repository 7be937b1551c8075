"""Visits, memos, today's plan and the offline sync over the API (issue 14, part "visits").

Every read starts from `visible_to(request.user)`; out of scope answers 404. Writes go through
`fieldwork.visit_services` and `fieldwork.visit_sync`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gridwork.accounts.access import FIELDWORK_VISITS_RECORD, FIELDWORK_VISITS_VIEW, has_capability
from gridwork.accounts.permissions import require
from gridwork.areas.models import Area
from gridwork.core.bounds import InputSchema, RecordId
from gridwork.core.routers import CappedLimitOffset, get_or_404
from gridwork.fieldwork import visit_services as services
from gridwork.fieldwork import visit_sync
from gridwork.fieldwork.visit_due import due_rows
from gridwork.fieldwork.visit_models import Memo, Visit
from gridwork.fieldwork.visit_plan import todays_plan

router = Router(tags=["field work: visits"])


class DueOut(Schema):
    person_id: int
    name: str
    grid: str
    household_id: int | None
    interval_days: int
    last_visit: dt.datetime | None
    due_on: dt.date
    overdue_days: int
    tags: list[str]


class StopOut(Schema):
    order: int
    kind: str = Field(description="visit or case")
    title: str
    purpose: str
    grid: str
    person_id: int | None = None
    household_id: int | None = None
    case_id: int | None = None
    lon: float
    lat: float
    urgent: bool
    in_passing: bool
    walk_m: int


class PlanOut(Schema):
    why: str
    start_from: str
    total_m: int
    stops: list[StopOut]


class VisitIn(InputSchema):
    multiline = frozenset({"findings", "needs", "register_note"})
    person_id: RecordId | None = None
    household_id: RecordId | None = None
    grid: str | None = Field(None, max_length=15, description="the grid the phone believed them in")
    visited_at: dt.datetime | None = None
    lon: float | None = None
    lat: float | None = None
    kind: str = Field("home", max_length=8, description="home, phone or outside")
    findings: str = Field("", max_length=4000)
    needs: str = Field("", max_length=4000)
    register_note: str = Field("", max_length=4000)
    next_visit_on: dt.date | None = None
    about_case_id: RecordId | None = None


class VisitOut(Schema):
    id: int
    grid_id: str
    person_id: int | None
    household_id: int | None
    worker_id: int
    visited_at: dt.datetime
    kind: str
    findings: str
    needs: str
    next_visit_on: dt.date | None
    case_id: int | None
    about_case_id: int | None


class MemoIn(InputSchema):
    multiline = frozenset({"text"})
    text: str = Field(..., max_length=4000)
    subject: str = Field("resident", max_length=10)
    person_id: RecordId | None = None
    household_id: RecordId | None = None
    building_id: RecordId | None = None
    grid: str | None = Field(None, max_length=15)
    place: str = Field("", max_length=200)
    written_at: dt.datetime | None = None
    lon: float | None = None
    lat: float | None = None


class MemoOut(Schema):
    id: int
    grid_id: str
    written_at: dt.datetime
    subject: str
    person_id: int | None
    household_id: int | None
    building_id: int | None
    place: str
    text: str
    became: str
    became_case_id: int | None
    became_visit_id: int | None


class MemoCaseIn(InputSchema):
    category: str = Field(..., max_length=20)
    title: str = Field("", max_length=200)


class MemoVisitIn(InputSchema):
    kind: str = Field("home", max_length=8)


class MemoNoteIn(InputSchema):
    multiline = frozenset({"note"})
    note: str = Field("", max_length=4000)


class SyncIn(Schema):
    # Entries are checked one by one in the service, so a malformed one is answered, not fatal.
    entries: list[Any] = Field(..., max_length=visit_sync.MAX_BATCH)


class SyncAnswer(Schema):
    id: str | None
    status: str = Field(description="stored, already, refused or conflict")
    reason: str = ""
    code: str = ""
    object_type: str = ""
    object_id: str = ""


class SyncOut(Schema):
    results: list[SyncAnswer]
    conflicts: int


class ConflictOut(Schema):
    client_id: str
    kind: str
    reason: str
    payload: dict
    received_at: dt.datetime


class SettleIn(InputSchema):
    keep: bool = Field(description="true: store the entry as made; false: discard it")


AREA = Query(None, max_length=15, description="only under this area code")


def _area(request: HttpRequest, area: str | None) -> str | None:
    if area:
        found = get_or_404(Area.objects.visible_to(request.user), code=area)
        require(request.user, FIELDWORK_VISITS_VIEW, found.code)
    elif not has_capability(request.user, FIELDWORK_VISITS_VIEW):
        raise PermissionDenied
    return area


@router.get("/fieldwork/due", response=list[DueOut], summary="Key people and their due visits, by due date")
def due(request: HttpRequest, area: str | None = AREA) -> Any:
    return due_rows(request.user, area=_area(request, area))


@router.get("/fieldwork/plan", response=PlanOut, summary="Today's plan: due visits and held cases as a route")
def plan(request: HttpRequest, lon: float | None = None, lat: float | None = None) -> Any:
    if not has_capability(request.user, FIELDWORK_VISITS_RECORD):
        raise PermissionDenied
    found = todays_plan(request.user, lon=lon, lat=lat)
    return {
        "why": found.why,
        "start_from": found.start_from,
        "total_m": round(found.total_m),
        "stops": found.stops,
    }


@router.get("/fieldwork/visits", response=list[VisitOut], summary="Visits in scope, newest first")
@paginate(CappedLimitOffset)
def visits(request: HttpRequest, area: str | None = AREA) -> Any:
    qs = Visit.objects.visible_to(request.user)
    code = _area(request, area)
    return qs.in_area(code) if code else qs


@router.post("/fieldwork/visits", response={201: VisitOut}, summary="Record a visit")
def record_visit(request: HttpRequest, payload: VisitIn) -> Any:
    return 201, services.record_visit(request.user, **payload.model_dump())


@router.get("/fieldwork/memos", response=list[MemoOut], summary="Memos in scope, newest first")
@paginate(CappedLimitOffset)
def memos(request: HttpRequest, area: str | None = AREA) -> Any:
    qs = Memo.objects.visible_to(request.user)
    code = _area(request, area)
    return qs.in_area(code) if code else qs


@router.post("/fieldwork/memos", response={201: MemoOut}, summary="Write a memo (民情日记)")
def write_memo(request: HttpRequest, payload: MemoIn) -> Any:
    return 201, services.write_memo(request.user, **payload.model_dump())


@router.post("/fieldwork/memos/{memo_id}/case", response=MemoOut, summary="Make a case from a memo")
def memo_case(request: HttpRequest, memo_id: RecordId, payload: MemoCaseIn) -> Any:
    return services.memo_to_case(request.user, memo_id, **payload.model_dump())


@router.post("/fieldwork/memos/{memo_id}/visit", response=MemoOut, summary="Record a memo as a visit")
def memo_visit(request: HttpRequest, memo_id: RecordId, payload: MemoVisitIn) -> Any:
    return services.memo_to_visit(request.user, memo_id, **payload.model_dump())


@router.post(
    "/fieldwork/memos/{memo_id}/register-note", response=MemoOut, summary="Ask for a register update"
)
def memo_note(request: HttpRequest, memo_id: RecordId, payload: MemoNoteIn) -> Any:
    return services.memo_to_register_note(request.user, memo_id, **payload.model_dump())


@router.post("/fieldwork/sync", response=SyncOut, summary="Send the phone's offline queue (each entry once)")
def sync(request: HttpRequest, payload: SyncIn) -> Any:
    if not has_capability(request.user, FIELDWORK_VISITS_RECORD):
        raise PermissionDenied
    results = visit_sync.sync_batch(request.user, payload.entries)
    return {"results": results, "conflicts": visit_sync.open_conflicts(request.user).count()}


@router.get(
    "/fieldwork/sync/conflicts", response=list[ConflictOut], summary="My entries waiting to be settled"
)
def conflicts(request: HttpRequest) -> Any:
    return [
        {
            "client_id": str(e.client_id),
            "kind": e.kind,
            "reason": e.reason,
            "payload": e.opened_payload(),
            "received_at": e.received_at,
        }
        for e in visit_sync.open_conflicts(request.user)
    ]


@router.post(
    "/fieldwork/sync/conflicts/{client_id}/settle", response=ConflictOut, summary="Settle a conflict"
)
def settle(request: HttpRequest, client_id: str, payload: SettleIn) -> Any:
    e = visit_sync.settle(request.user, client_id, keep=payload.keep)
    return {
        "client_id": str(e.client_id),
        "kind": e.kind,
        "reason": e.reason,
        "payload": e.opened_payload(),
        "received_at": e.received_at,
    }

"""Patrols over the API: every action of the patrol pages, and the daily coverage of an area.

Reads go through `Patrol.objects.visible_to` (capability fieldwork.patrol_view); a patrol outside
the caller's grids answers 404. Writes call gridwork.fieldwork.patrols_services.

No `from __future__ import annotations` here: ninja evaluates a paginated operation's annotations
in its own module, where the names of this one mean nothing.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gridwork.core.bounds import EARLIEST_DATE, LATEST_DATE, InputSchema, RecordId
from gridwork.core.errors import NotFound
from gridwork.core.routers import CappedLimitOffset, get_or_404
from gridwork.fieldwork import patrols_services as services
from gridwork.fieldwork.patrols_coverage import coverage
from gridwork.fieldwork.patrols_models import Patrol, PatrolFinding, PatrolFix, PatrolStatus

router = Router(tags=["patrols"])

MAX_TRACK = 20_000  # fixes returned for one patrol: a whole day at one every five seconds
STARTED_ON = Query(None, ge=EARLIEST_DATE, le=LATEST_DATE, description="started on this day")
COVERAGE_DAY = Query(None, ge=EARLIEST_DATE, le=LATEST_DATE, description="default: today")


class PatrolStartIn(InputSchema):
    grid: str | None = Field(None, max_length=15, description="the grid's code; optional with one grid")
    started_at: datetime | None = Field(None, description="the phone's time of the start (default: now)")


class PatrolEndIn(InputSchema):
    ended_at: datetime | None = Field(None, description="the phone's time of the end (default: now)")


class FixesIn(InputSchema):
    fixes: list[Any] = Field(
        ...,
        max_length=services.MAX_BATCH,
        description='each {"at": RFC 3339 with offset, "lon": float, "lat": float, "accuracy_m": float}',
    )


class FindingIn(InputSchema):
    note: str = Field(..., max_length=services.MAX_NOTE)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    at: datetime | None = Field(None, description="the phone's time (default: now)")


class FindingCaseIn(InputSchema):
    category: str | None = Field(None, max_length=20, description="leaf category code (default E0101)")
    title: str | None = Field(None, max_length=200, description="default: the note's first line")


class PatrolOut(Schema):
    id: int
    grid: str = Field(..., alias="grid_id")
    worker: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    duration_s: int
    length_m: float
    inside_share: float | None
    fix_count: int
    flagged_count: int

    @staticmethod
    def resolve_worker(obj: Patrol) -> str:
        return str(obj.worker)

    @staticmethod
    def resolve_duration_s(obj: Patrol) -> int:
        return int(obj.duration.total_seconds())


class FindingOut(Schema):
    id: int
    patrol_id: int
    at: datetime
    note: str
    lon: float | None
    lat: float | None
    has_photo: bool
    case_id: int | None

    @staticmethod
    def resolve_has_photo(obj: PatrolFinding) -> bool:
        return bool(obj.photo)


class PatrolDetailOut(PatrolOut):
    findings: list[FindingOut]

    @staticmethod
    def resolve_findings(obj: Patrol) -> list[PatrolFinding]:
        return list(obj.findings.all())


class FixOut(Schema):
    at: datetime
    lon: float
    lat: float
    accuracy_m: float | None
    flag: str = Field(..., description='"" kept, "accuracy" or "speed" (left out of the length)')


class RejectedFixOut(Schema):
    index: int
    reason: str


class FixBatchOut(Schema):
    stored: int
    duplicates: int
    rejected: list[RejectedFixOut]
    patrol: PatrolOut


class FindingCaseOut(Schema):
    case_id: int
    tracking_code: str


class CoveragePatrolOut(Schema):
    id: int
    worker: str
    started_at: datetime
    ended_at: datetime | None
    hours: str
    length_m: float
    inside_share: float | None


class CoverageGridOut(Schema):
    code: str
    name: str
    community_code: str
    patrolled: bool
    patrols: list[CoveragePatrolOut]


class CoverageOut(Schema):
    area: str
    day: date
    grids: int
    patrolled: int
    not_patrolled: list[str]
    by_grid: list[CoverageGridOut]


def _patrols(request: HttpRequest) -> Any:
    return Patrol.objects.visible_to(request.user).select_related("worker")


def _patrol(request: HttpRequest, patrol_id: int) -> Patrol:
    return get_or_404(_patrols(request).prefetch_related("findings"), pk=patrol_id)


@router.get("/patrols", response=list[PatrolOut], summary="Patrols in my grids, newest first")
@paginate(CappedLimitOffset)
def list_patrols(
    request: HttpRequest,
    grid: str | None = Query(None, max_length=15, description="only under this area code"),
    day: date | None = STARTED_ON,
    status: str | None = Query(None, description="open or ended"),
) -> Any:
    patrols = _patrols(request)
    if grid:
        if not grid.isdigit():
            raise ValidationError({"grid": [_("Enter an area code.")]})
        patrols = patrols.in_area(grid)
    if day:
        patrols = patrols.on_day(day)
    if status:
        if status not in PatrolStatus.values:
            raise ValidationError({"status": [_("Unknown status.")]})
        patrols = patrols.filter(status=status)
    return patrols


@router.post("/patrols", response={201: PatrolOut}, summary="Start a patrol of my grid")
def start_patrol(request: HttpRequest, payload: PatrolStartIn) -> Any:
    return 201, services.start_patrol(request.user, grid=payload.grid, at=payload.started_at)


@router.get("/patrols/current", response=PatrolDetailOut, summary="My patrol under way (404 if none)")
def current_patrol(request: HttpRequest) -> Any:
    patrol = _patrols(request).open().filter(worker_id=request.user.pk).prefetch_related("findings").first()
    if patrol is None:
        raise NotFound(Patrol._meta.verbose_name)
    return patrol


@router.get("/patrols/{patrol_id}", response=PatrolDetailOut, summary="A patrol and its findings")
def get_patrol(request: HttpRequest, patrol_id: RecordId) -> Any:
    return _patrol(request, patrol_id)


@router.get("/patrols/{patrol_id}/fixes", response=list[FixOut], summary="A patrol's track, in time order")
def patrol_fixes(request: HttpRequest, patrol_id: RecordId) -> Any:
    patrol = _patrol(request, patrol_id)
    return list(PatrolFix.objects.filter(patrol=patrol).order_by("at")[:MAX_TRACK])


@router.post(
    "/patrols/{patrol_id}/fixes",
    response=FixBatchOut,
    summary="Add a batch of GPS fixes (the same fix sent again is stored once)",
)
def add_fixes(request: HttpRequest, patrol_id: RecordId, payload: FixesIn) -> Any:
    result = services.add_fixes(request.user, patrol_id, payload.fixes)
    return {
        "stored": result.stored,
        "duplicates": result.duplicates,
        "rejected": result.rejected,
        "patrol": result.patrol,
    }


@router.post("/patrols/{patrol_id}/end", response=PatrolOut, summary="End my patrol; computes its metrics")
def end_patrol(request: HttpRequest, patrol_id: RecordId, payload: PatrolEndIn) -> Any:
    return services.end_patrol(request.user, patrol_id, at=payload.ended_at)


@router.post(
    "/patrols/{patrol_id}/findings",
    response={201: FindingOut},
    summary="Note what I see (multipart: a note, a place, one photo)",
)
def add_finding(
    request: HttpRequest,
    patrol_id: RecordId,
    payload: Form[FindingIn],
    photo: UploadedFile | None = File(None, description="one JPEG, PNG or WebP image"),  # noqa: B008
) -> Any:
    finding = services.add_finding(
        request.user,
        patrol_id,
        note=payload.note,
        lon=payload.lon,
        lat=payload.lat,
        photo=photo,
        at=payload.at,
    )
    return 201, finding


@router.post(
    "/patrol-findings/{finding_id}/case",
    response={201: FindingCaseOut},
    summary="Make a finding a case, prefilled with its place, grid, text and photo",
)
def finding_to_case(request: HttpRequest, finding_id: RecordId, payload: FindingCaseIn) -> Any:
    case = services.finding_to_case(request.user, finding_id, category=payload.category, title=payload.title)
    return 201, {"case_id": case.pk, "tracking_code": case.tracking_code}


@router.get(
    "/patrol-coverage", response=CoverageOut, summary="Which grids of an area were patrolled on a day"
)
def patrol_coverage(
    request: HttpRequest,
    area: str = Query(..., max_length=15, description="a community's or a street's code (any area)"),
    day: date | None = COVERAGE_DAY,
) -> Any:
    found = coverage(request.user, area, day or timezone.localdate())
    return {
        "area": found.area.code,
        "day": found.day,
        "grids": len(found.grids),
        "patrolled": len(found.patrolled),
        "not_patrolled": [g.code for g in found.not_patrolled],
        "by_grid": [
            {
                "code": g.code,
                "name": g.name,
                "community_code": g.community_code,
                "patrolled": g.patrolled,
                "patrols": [{**vars(p), "hours": p.hours} for p in g.patrols],
            }
            for g in found.grids
        ],
    }

"""Cases over the API: report, the queues, one case with its timeline and allowed actions, the
transitions, possible duplicates, the category tree and the indicators.

Thin: every read starts from `Case.objects.visible_to(request.user)` (out of scope answers 404 like
a case that does not exist), every write is one call of `gridwork.cases.services`. Reports and
actions take multipart/form-data so a phone can send its photos (field `photos`, repeatable) with
them. The reporter's contact leaves only masked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus

from gridwork.accounts.access import CASES_VIEW, department_scopes, scope_codes
from gridwork.accounts.permissions import require_second_factor
from gridwork.areas.models import Area
from gridwork.cases import calendar, queues, services
from gridwork.cases.api_schemas import (
    CaseActionIn,
    CaseDetailOut,
    CaseEventOut,
    CaseOut,
    CasePage,
    CasePublicTextIn,
    CasePublicTextOut,
    CaseReportIn,
    CaseRevealIn,
    CaseRevealOut,
    CategoryOut,
    IndicatorsOut,
)
from gridwork.cases.indicators import indicators
from gridwork.cases.models import Case, CaseEvent, Category, Status
from gridwork.core.bounds import EARLIEST_DATE, LATEST_DATE, MAX_COUNT, MAX_ID, MAX_OFFSET, RecordId
from gridwork.core.errors import NotFound
from gridwork.core.scoping import code_range_q

router = Router(tags=["cases"])

INDICATOR_DEFAULT_DAYS = 30
# A list is counted this far: a district's cases run to a million, and counting them all is a scan.
COUNT_UP_TO = 1_000
PHOTOS = File(None, description="JPEG, PNG or WebP images, at most 9")
FIRST_DAY = Query(
    None, alias="from", ge=EARLIEST_DATE, le=LATEST_DATE, description="first day (default: 30 days ago)"
)
LAST_DAY = Query(
    None, alias="to", ge=EARLIEST_DATE, le=LATEST_DATE, description="last day, included (default: today)"
)


def _with_colours(cases: list[Case], now: dt.datetime) -> list[Case]:
    """Attach the deadline colour to each case, reading the work calendar once for the lot."""
    earliest = min((c.step_started_at for c in cases if c.step_started_at), default=None)
    with calendar.one_read(timezone.localtime(earliest).date() if earliest else None):
        for case in cases:
            case.time_status_now = calendar.time_status(case, now)
    return cases


def _detail(request: HttpRequest, case_id: int) -> Case:
    events = CaseEvent.objects.prefetch_related("photos")
    shape = Case.objects.select_related("category").prefetch_related(Prefetch("events", queryset=events))
    case = services.get_visible_case(request.user, case_id, queryset=shape)
    case.allowed_actions_now = services.allowed_actions(request.user, case)
    return _with_colours([case], timezone.now())[0]


def _photos(photos: list[UploadedFile] | None) -> list[UploadedFile]:
    return list(photos or [])


# --- cases -------------------------------------------------------------------------------------


@router.post("/cases", response={201: CaseDetailOut}, summary="Report a case (multipart, with photos)")
def report_case(
    request: HttpRequest, payload: Form[CaseReportIn], photos: list[UploadedFile] = PHOTOS
) -> Any:
    case = services.report_case(request.user, photos=_photos(photos), **payload.model_dump())
    return HttpStatus(201, _detail(request, case.pk))


@router.get(
    "/cases",
    response=CasePage,
    summary="The queues (due first) or every case in scope (newest first), filtered",
)
def list_cases(
    request: HttpRequest,
    queue: str | None = Query(None, description="mine, area (open in my area) or overdue"),
    status: str | None = Query(None, description="one status"),
    category: str | None = Query(None, max_length=20, description="a category code or a branch of it"),
    area: str | None = Query(None, max_length=15, description="only cases under this area code"),
    limit: int = Query(50, ge=1, le=MAX_COUNT, description="page size, at most API_PAGE_SIZE_MAX"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    if queue is not None and queue not in queues.QUEUES:
        raise ValidationError({"queue": [_("Choose mine, area or overdue.")]})
    if status is not None and status not in Status.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    now = timezone.now()
    branch = (
        list(Category.objects.filter(code__startswith=category.strip()).values_list("pk", flat=True))
        if category
        else []
    )

    def listed(paged: bool) -> QuerySet[Case]:
        cases = queues.queue(request.user, queue, now, paged=paged)
        if status:
            cases = cases.filter(status=status)
        if category:
            cases = cases.filter(category_id__in=branch)
        if area:
            cases = cases.filter(code_range_q("grid__code", area.strip()))
        return cases

    # The page's keys from the cases' own table (see web.pagination.paginate_by_key), then its rows.
    limit = min(limit, settings.API_PAGE_SIZE_MAX)
    # A queue in the pages' order (what is due first); every case in scope newest first.
    order = ("step_deadline", "-created_at", "-id") if queue else ("-created_at", "-id")
    keys = list(listed(True).order_by(*order).values_list("pk", flat=True)[offset : offset + limit])
    found = Case.objects.select_related("category").in_bulk(keys)
    counted = listed(False).order_by()[: COUNT_UP_TO + 1].count()
    return {
        "items": _with_colours([found[pk] for pk in keys if pk in found], now),
        "count": min(counted, COUNT_UP_TO),
        "more": counted > COUNT_UP_TO,
    }


@router.get("/cases/possible-duplicates", response=list[CaseOut], summary="Open cases near a point (scoped)")
def possible_duplicates_at(request: HttpRequest, category: str, lon: float, lat: float) -> Any:
    found = services.find_possible_duplicates(category, lon, lat)
    return _visible_only(request, found)


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="One case with its timeline")
def get_case(request: HttpRequest, case_id: RecordId) -> Any:
    case = _detail(request, case_id)
    services.log_case_read(request.user, case)
    return case


@router.post(
    "/cases/{case_id}/actions/{action}",
    response=CaseDetailOut,
    summary="Act on a case (a transition of the state machine; multipart, with photos)",
)
def act(
    request: HttpRequest,
    case_id: RecordId,
    action: str,
    payload: Form[CaseActionIn],
    photos: list[UploadedFile] = PHOTOS,
) -> Any:
    services.act(
        request.user,
        case_id,
        action,
        note=payload.note,
        lon=payload.lon,
        lat=payload.lat,
        photos=_photos(photos),
        expected_version=payload.expected_version,
        **payload.params(),
    )
    return _detail(request, case_id)


@router.post(
    "/cases/{case_id}/public-text",
    response=CasePublicTextOut,
    summary="Publish a moderator's text for the public board (Open311) in place of the resident's words",
)
def publish_public_text(request: HttpRequest, case_id: RecordId, payload: CasePublicTextIn) -> Any:
    return services.publish_public_text(request.user, case_id, payload.text)


@router.post(
    "/cases/{case_id}/reveal",
    response=CaseRevealOut,
    summary="A case's free text as written, for a stated reason (audited)",
)
def reveal_case(request: HttpRequest, case_id: RecordId, payload: CaseRevealIn) -> Any:
    require_second_factor(request.user)
    case = services.reveal_case(request.user, case_id, payload.reason)
    notes = [
        {"event_id": pk, "note": note} for pk, note in case.events.exclude(note="").values_list("pk", "note")
    ]
    return {
        "id": case.pk,
        "title": case.title,
        "description": case.description,
        "address": case.address,
        "rating_comment": case.rating_comment,
        "notes": notes,
    }


@router.get("/cases/{case_id}/timeline", response=list[CaseEventOut], summary="A case's timeline")
def case_timeline(request: HttpRequest, case_id: RecordId) -> Any:
    return _detail(request, case_id).events.all()


@router.get(
    "/cases/{case_id}/duplicates", response=list[CaseOut], summary="Possible duplicates of a case (scoped)"
)
def case_duplicates(request: HttpRequest, case_id: RecordId) -> Any:
    case = services.get_visible_case(request.user, case_id)
    if case.lon is None or case.lat is None:
        return []
    found = services.find_possible_duplicates(
        case.category, case.lon, case.lat, now=case.created_at, exclude_id=case.pk
    )
    return _visible_only(request, found)


def _visible_only(request: HttpRequest, found: list[Case]) -> list[Case]:
    visible = set(
        Case.objects.visible_to(request.user)
        .filter(pk__in=[c.pk for c in found])
        .values_list("pk", flat=True)
    )
    return _with_colours([c for c in found if c.pk in visible], timezone.now())


# --- categories and indicators -----------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], summary="The category tree (active categories)")
def category_tree(request: HttpRequest) -> Any:
    nodes = {
        c.pk: {
            "code": c.code,
            "name": c.name,
            "default_track": c.default_track,
            "department": c.department,
            "children": [],
            "parent": c.parent_id,
        }
        for c in Category.objects.active().order_by("code")
    }
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.pop("parent"))
        (parent["children"] if parent else roots).append(node)
    return roots


def _indicator_scope(user: Any, area: str | None, department: str | None) -> tuple[str, str | None]:
    """The area and department the caller may see indicators for: an area under one of their case
    scopes, or, for a department handler, their own department within the area of their role."""
    scopes = scope_codes(user, CASES_VIEW)
    departments = department_scopes(user)
    if not scopes and not departments:
        raise PermissionDenied(_("Your role does not show case indicators."))
    if area is None:
        if len(scopes) == 1:
            area = scopes[0]
        elif not scopes and len(departments) == 1:
            area = departments[0][0]
        else:
            raise ValidationError({"area": [_("Choose an area.")]})
    # An area code under one's own that names no area answers like one outside the scope: 404.
    if not Area.objects.filter(code=area).exists():
        raise NotFound(_("area"))
    if any(area.startswith(code) for code in scopes):
        return area, department
    for dept_area, dept in departments:
        if area.startswith(dept_area) and department in (None, dept):
            return area, dept
    raise NotFound(_("area"))


def _moment(value: dt.date | None, default: dt.datetime) -> dt.datetime:
    if value is None:
        return default
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


@router.get(
    "/indicators", response=IndicatorsOut, summary="Case indicators per area, department, person, period"
)
def case_indicators(
    request: HttpRequest,
    area: str | None = Query(None, max_length=15, description="an area in scope (default: your only one)"),
    department: str | None = Query(None, max_length=100),
    user: int | None = Query(None, ge=1, le=MAX_ID, description="cases this user reported or acted on"),
    start: dt.date | None = FIRST_DAY,
    end: dt.date | None = LAST_DAY,
) -> Any:
    area_code, dept = _indicator_scope(request.user, area, department)
    today = timezone.localdate()
    end_at = _moment(end or today, timezone.now()) + dt.timedelta(days=1)
    start_at = _moment(start, end_at - dt.timedelta(days=INDICATOR_DEFAULT_DAYS))
    if start_at >= end_at:
        raise ValidationError({"from": [_("The first day must come before the last.")]})
    values = indicators(start=start_at, end=end_at, area_prefix=area_code, department=dept, user_id=user)
    return {"area": area_code, "department": dept, "user": user, "start": start_at, "end": end_at, **values}

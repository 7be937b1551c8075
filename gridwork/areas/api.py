"""The area tree over the API: areas and their boundary versions (their register counts: registry.api)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from gridwork.areas.models import Area, AreaBoundary
from gridwork.core.errors import NotFound
from gridwork.core.routers import CappedLimitOffset, get_or_404

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: str
    name: str
    level: int
    level_name: str
    parent: str | None
    rural: bool
    community_kind: str
    target_households: int | None
    target_people: int | None
    duties: str

    @staticmethod
    def resolve_parent(obj: Area) -> str | None:
        # The parent's code is the code minus its last three digits: no join needed.
        return obj.code[:-3] if len(obj.code) > 6 else None


class BoundaryProperties(Schema):
    code: str
    name: str
    valid_from: dt.date
    valid_to: dt.date | None


class BoundaryFeature(Schema):
    type: Literal["Feature"] = "Feature"
    geometry: dict[str, Any]
    properties: BoundaryProperties


# Query parameters, defined once (ninja reads their metadata from the default).
PARENT = Query(None, description="only the children of this area code")
LEVEL = Query(None, ge=1, le=4, description="1 district, 2 street, 3 community, 4 grid")
ON_DAY = Query(None, description="the version in force on this day (default: today)")


def _visible_area(request: HttpRequest, code: str) -> Area:
    return get_or_404(Area.objects.visible_to(request.user), code=code)


@router.get("/areas", response=list[AreaOut], summary="Areas the caller may see")
@paginate(CappedLimitOffset)
def list_areas(
    request: HttpRequest,
    parent: str | None = PARENT,
    level: int | None = LEVEL,
) -> Any:
    qs = Area.objects.visible_to(request.user)
    if parent:
        qs = qs.filter(parent__code=parent)
    if level:
        qs = qs.filter(level=level)
    return qs


@router.get("/areas/{code}", response=AreaOut, summary="One area")
def get_area(request: HttpRequest, code: str) -> Area:
    return _visible_area(request, code)


@router.get(
    "/areas/{code}/boundary", response=BoundaryFeature, summary="An area's boundary as a GeoJSON Feature"
)
def area_boundary(
    request: HttpRequest,
    code: str,
    on: dt.date | None = ON_DAY,
) -> dict[str, Any]:
    area = _visible_area(request, code)
    boundary = (
        AreaBoundary.objects.valid_on(on or timezone.localdate())
        .filter(area=area)
        .order_by("-valid_from")
        .first()
    )
    if boundary is None:
        raise NotFound(AreaBoundary._meta.verbose_name)
    return {
        "type": "Feature",
        "geometry": boundary.geojson,
        "properties": {
            "code": area.code,
            "name": area.name,
            "valid_from": boundary.valid_from,
            "valid_to": boundary.valid_to,
        },
    }

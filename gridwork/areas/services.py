"""Writes to the area tree and its boundaries; point-in-grid lookups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import AREAS_CHANGE
from gridwork.accounts.permissions import require
from gridwork.areas.geometry import GridLocator, parse_polygon
from gridwork.areas.models import Area, AreaBoundary, Level, level_of_code
from gridwork.areas.signals import grid_boundary_changed
from gridwork.core import audit
from gridwork.core.validators import validate_area_code

AREA_FIELDS = ("name", "rural", "community_kind", "target_households", "target_people", "duties")


@transaction.atomic
def create_area(actor: Any, code: str, name: str, **fields: Any) -> Area:
    try:
        validate_area_code(code)
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}) from exc
    level = level_of_code(code)
    parent = None
    if level > Level.DISTRICT:
        parent = Area.objects.select_for_update().filter(code=code[:-3]).first()
        if parent is None:
            raise ValidationError(
                {"code": [_("The parent area %(code)s does not exist.") % {"code": code[:-3]}]}
            )
    require(actor, AREAS_CHANGE, parent.code if parent else code)
    unknown = set(fields) - set(AREA_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    if parent is not None and "rural" not in fields:
        fields["rural"] = parent.rural
    area = Area(code=code, name=name, level=level, parent=parent, **fields)
    area.full_clean()
    area.save()
    after = audit.snapshot(area)
    audit.write_history(actor, area, "create", {}, after)
    return area


@transaction.atomic
def update_area(actor: Any, code: str, **fields: Any) -> Area:
    area = Area.objects.select_for_update().get(code=code)
    require(actor, AREAS_CHANGE, area.code)
    unknown = set(fields) - set(AREA_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    before = audit.snapshot(area)
    for key, value in fields.items():
        setattr(area, key, value)
    area.full_clean()
    area.save()
    audit.write_history(actor, area, "update", before, audit.snapshot(area))
    return area


@transaction.atomic
def set_boundary(actor: Any, code: str, geojson: Any, valid_from: dt.date | None = None) -> AreaBoundary:
    """A new boundary version from valid_from on; the current one ends that day."""
    area = Area.objects.select_for_update().get(code=code)
    require(actor, AREAS_CHANGE, area.code)
    try:
        geom = parse_polygon(geojson)
    except ValidationError as exc:
        raise ValidationError({"geojson": exc.messages}) from exc
    valid_from = valid_from or timezone.localdate()
    current = AreaBoundary.objects.select_for_update().filter(area=area, valid_to__isnull=True).first()
    if current is not None:
        if valid_from <= current.valid_from:
            raise ValidationError(
                {
                    "valid_from": [
                        _("A new boundary must start after the current one (%(day)s).")
                        % {"day": current.valid_from}
                    ]
                }
            )
        current.valid_to = valid_from
        current.save(update_fields=["valid_to"])
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson["geometry"]
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    boundary = AreaBoundary.objects.create(
        area=area,
        geojson=geojson,
        valid_from=valid_from,
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
    )
    audit.write_history(
        actor,
        area,
        "boundary",
        {"boundary_id": current.pk if current else None},
        {"boundary_id": boundary.pk, "valid_from": valid_from.isoformat()},
    )
    if area.level == Level.GRID:
        bounds = geom.bounds
        if current is not None:
            # Buildings in the part the grid gave up must be looked at too, not only those in its new shape.
            bounds = (
                min(bounds[0], current.min_lon),
                min(bounds[1], current.min_lat),
                max(bounds[2], current.max_lon),
                max(bounds[3], current.max_lat),
            )
        grid_boundary_changed.send(sender=Area, actor=actor, bounds=bounds)
    return boundary


def locate_grid(lon: float, lat: float, day: dt.date | None = None) -> str | None:
    """The code of the grid whose boundary (valid on the day) contains the point."""
    candidates = (
        AreaBoundary.objects.valid_on(day or timezone.localdate())
        .filter(
            area__level=Level.GRID, min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
        )
        .values_list("area__code", "geojson")
    )
    codes, geoms = [], []
    for code, geojson in candidates:
        codes.append(code)
        geoms.append(parse_polygon(geojson))
    if not codes:
        return None
    return GridLocator(codes, geoms).locate(lon, lat)


def grid_locator(
    day: dt.date | None = None, bounds: tuple[float, float, float, float] | None = None
) -> GridLocator | None:
    qs = AreaBoundary.objects.valid_on(day or timezone.localdate()).filter(area__level=Level.GRID)
    if bounds is not None:
        min_lon, min_lat, max_lon, max_lat = bounds
        qs = qs.filter(min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat)
    codes, geoms = [], []
    for code, geojson in qs.values_list("area__code", "geojson"):
        codes.append(code)
        geoms.append(parse_polygon(geojson))
    return GridLocator(codes, geoms) if codes else None

"""Where things are for field work: a grid's centre, the bounds of its city, a stop's position.

A fix from a phone is plausible when it lies in the grid's city: the box around every current
boundary of the grid's district, widened by CITY_MARGIN_DEG (about 10 km), since a worker may
phone a resident from the street office or meet one at the hospital across the district line.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.areas.geometry import parse_polygon
from gridwork.areas.models import AreaBoundary
from gridwork.core.scoping import code_range_q

CITY_MARGIN_DEG = 0.1
DISTRICT_CODE_LENGTH = 6


def grid_centre(grid_code: str, day: dt.date | None = None) -> tuple[float, float] | None:
    """A point inside the grid (its polygon's representative point), or None without a boundary."""
    boundary = (
        AreaBoundary.objects.valid_on(day or timezone.localdate())
        .filter(area__code=grid_code)
        .values_list("geojson", flat=True)
        .first()
    )
    if boundary is None:
        return None
    point = parse_polygon(boundary).representative_point()
    return (point.x, point.y)


def city_bounds(grid_code: str) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of the grid's district, widened by the margin."""
    box = (
        AreaBoundary.objects.current()
        .filter(code_range_q("area__code", grid_code[:DISTRICT_CODE_LENGTH]))
        .aggregate(a=Min("min_lon"), b=Min("min_lat"), c=Max("max_lon"), d=Max("max_lat"))
    )
    if box["a"] is None:
        return None
    m = CITY_MARGIN_DEG
    return (box["a"] - m, box["b"] - m, box["c"] + m, box["d"] + m)


def check_point(grid_code: str, lon: object, lat: object, errors: dict[str, list[str]]) -> tuple:
    """The point as floats (or Nones), with an error under "lon" when it is not a point in the city."""
    if lon in (None, "") and lat in (None, ""):
        return None, None
    try:
        lon_f, lat_f = float(lon), float(lat)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors.setdefault("lon", []).append(_("Give both longitude and latitude as numbers, or neither."))
        return None, None
    if not (-180 <= lon_f <= 180 and -90 <= lat_f <= 90):
        errors.setdefault("lon", []).append(_("Longitude must be within ±180 and latitude within ±90."))
        return None, None
    bounds = city_bounds(grid_code)
    if bounds is not None and not (bounds[0] <= lon_f <= bounds[2] and bounds[1] <= lat_f <= bounds[3]):
        errors.setdefault("lon", []).append(_("This position is outside the grid's city."))
    return lon_f, lat_f


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)

"""GeoJSON polygons checked with Shapely, and point-in-grid lookups with an STRtree."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

MAX_VERTICES = 20000


def parse_polygon(geojson: Any) -> BaseGeometry:
    """A valid WGS-84 Polygon or MultiPolygon from GeoJSON (a geometry or a Feature)."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."), code="geom_type")
    try:
        geom = shape(geojson)
    except Exception as exc:  # Shapely raises several types for malformed coordinates
        raise ValidationError(
            _("The boundary's coordinates are malformed: %(error)s") % {"error": exc}, code="geom_malformed"
        ) from exc
    if geom.is_empty:
        raise ValidationError(_("The boundary is empty."), code="geom_empty")
    if shapely.get_num_coordinates(geom) > MAX_VERTICES:
        raise ValidationError(_("The boundary has too many vertices."), code="geom_size")
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError(
            _("The boundary's coordinates must be longitude and latitude (WGS-84)."), code="geom_range"
        )
    if not geom.is_valid:
        raise ValidationError(
            _("The boundary is not a valid polygon: %(reason)s") % {"reason": shapely.is_valid_reason(geom)},
            code="geom_invalid",
        )
    return geom


def validate_point(lon: float | None, lat: float | None) -> None:
    if lon is None and lat is None:
        return
    if lon is None or lat is None:
        raise ValidationError(_("Give both longitude and latitude, or neither."), code="point")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(_("Longitude must be within ±180 and latitude within ±90."), code="point")


class GridLocator:
    """Finds the grid containing a point among a set of polygons, with one STRtree."""

    def __init__(self, codes: list[str], geoms: list[BaseGeometry]) -> None:
        self.codes = codes
        self.geoms = geoms
        self.tree = shapely.STRtree(geoms)
        order = np.argsort(np.asarray(codes, dtype=object), kind="stable")
        self._by_rank = np.asarray(codes, dtype=object)[order]
        self._rank = np.empty(len(codes), dtype=np.int64)
        self._rank[order] = np.arange(len(codes))

    def locate(self, lon: float, lat: float) -> str | None:
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        # A point on a shared edge belongs to the grid with the smallest code, so the answer is stable.
        return min(self.codes[i] for i in hits)

    def locate_many(self, lons: Any, lats: Any) -> list[str | None]:
        """The grid of each point, or None outside every grid; vectorised, with no loop per point."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        # The smallest code wins on shared edges (as in `locate`): rank the grids by code once,
        # keep the lowest rank per point, and look the codes up in one go.
        best = np.full(len(points), len(self.codes), dtype=np.int64)
        np.minimum.at(best, point_idx, self._rank[geom_idx])
        found = best < len(self.codes)
        result = np.full(len(points), None, dtype=object)
        result[found] = self._by_rank[best[found]]
        return result.tolist()

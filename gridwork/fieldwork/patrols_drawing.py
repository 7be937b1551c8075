"""A patrol drawn without a map library: the grid's outline, the kept track, flagged fixes and
findings, as coordinates of an SVG viewBox (the template writes the elements)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

SIZE = 1000  # the longer side of the viewBox, in its units
PAD = 30


@dataclass
class Drawing:
    width: int
    height: int
    outlines: list[str] = field(default_factory=list)  # "x,y x,y …" of each ring
    track: str = ""  # the kept fixes as one polyline
    flagged: list[dict[str, Any]] = field(default_factory=list)  # {x, y, flag}
    findings: list[dict[str, Any]] = field(default_factory=list)  # {x, y, n}
    start: dict[str, float] | None = None
    end: dict[str, float] | None = None
    scale_m: int = 0  # the length the scale bar stands for
    scale: dict[str, float] = field(default_factory=dict)  # the bar's x1, x2, y and its label's y


def _rings(boundary: BaseGeometry | None) -> list[list[tuple[float, float]]]:
    if boundary is None:
        return []
    polygons = boundary.geoms if isinstance(boundary, MultiPolygon) else [boundary]
    return [list(p.exterior.coords) for p in polygons if isinstance(p, Polygon)]


def _nice(metres: float) -> int:
    """A round length (1, 2 or 5 times a power of ten) near a fifth of the drawing's width."""
    if metres <= 0:
        return 0
    power = 10 ** math.floor(math.log10(metres))
    return int(max(step * power for step in (1, 2, 5) if step * power <= metres) or power)


def draw(
    fixes: Sequence[tuple[float, float, str]],
    boundary: BaseGeometry | None,
    findings: Sequence[tuple[float, float]] = (),
) -> Drawing | None:
    """fixes: (lon, lat, flag) in time order; None when there is nothing to draw."""
    rings = _rings(boundary)
    points = (
        [(lon, lat) for lon, lat, _flag in fixes] + list(findings) + [pt for ring in rings for pt in ring]
    )
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    lat0 = (min(lats) + max(lats)) / 2
    kx = math.cos(math.radians(lat0))  # a degree of longitude is shorter than one of latitude
    span_x = max((max(lons) - min(lons)) * kx, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    unit = (SIZE - 2 * PAD) / max(span_x, span_y)
    width = round(span_x * unit + 2 * PAD)
    height = round(span_y * unit + 2 * PAD)
    left, top = min(lons), max(lats)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round(PAD + (lon - left) * kx * unit, 1), round(PAD + (top - lat) * unit, 1)

    drawing = Drawing(width=width, height=height)
    drawing.outlines = [" ".join(f"{x},{y}" for x, y in (xy(*pt) for pt in ring)) for ring in rings]
    kept = [xy(lon, lat) for lon, lat, flag in fixes if not flag]
    drawing.track = " ".join(f"{x},{y}" for x, y in kept)
    if kept:
        drawing.start = {"x": kept[0][0], "y": kept[0][1]}
        drawing.end = {"left": kept[-1][0] - 8, "top": kept[-1][1] - 8}
    for lon, lat, flag in fixes:
        if flag:
            x, y = xy(lon, lat)
            drawing.flagged.append({"x": x, "y": y, "flag": flag})
    for n, (lon, lat) in enumerate(findings, start=1):
        x, y = xy(lon, lat)
        drawing.findings.append({"x": x, "y": y, "n": n})
    metres_per_unit = 111_195 / unit  # a degree of latitude is ~111.2 km
    drawing.scale_m = _nice(width / 5 * metres_per_unit)
    if drawing.scale_m:
        bar = drawing.scale_m / metres_per_unit
        drawing.scale = {"x1": PAD, "x2": round(PAD + bar, 1), "y": height - 12, "text_y": height - 20}
    return drawing

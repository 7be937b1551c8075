"""A patrol's track in numbers: which fixes to trust, how far was walked, how much of it inside the grid.

Pure functions of the fixes and the grid's polygon (no database), so they are tested on their own.

Thresholds, and why:
- MAX_ACCURACY_M = 50: a phone with a satellite fix outdoors reports 5–20 m; beyond 50 m the
  position comes from cell towers or Wi-Fi and may lie a block away.
- MAX_SPEED_MS = 3.0: a grid worker walks at 1–1.5 m/s and hurries at 2; 3 m/s is a run. A jump
  faster than that from the last kept fix is a GPS glitch (or a ride), not walking.
- JITTER_M = 20: two fixes a few seconds apart can differ by the receiver's noise alone; a jump
  is judged only beyond that allowance, so standing still does not read as sprinting.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

MAX_ACCURACY_M = 50.0
MAX_SPEED_MS = 3.0
JITTER_M = 20.0
EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)

ACCURACY, SPEED = "accuracy", "speed"  # the values of patrols_models.FixFlag


@dataclass(frozen=True)
class Fix:
    at: dt.datetime
    lon: float
    lat: float
    accuracy_m: float | None = None


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def flag_fixes(fixes: Sequence[Fix], last_kept: Fix | None = None) -> list[str]:
    """The flag of each fix (in time order): "" kept, "accuracy" or "speed".

    Speed is judged against the last kept fix, so one wild fix does not also condemn the good fix
    after it. `last_kept`: the kept fix before the first of `fixes` (for a batch added later).
    """
    flags: list[str] = []
    previous = last_kept
    for fix in fixes:
        if fix.accuracy_m is not None and fix.accuracy_m > MAX_ACCURACY_M:
            flags.append(ACCURACY)
            continue
        if previous is not None:
            seconds = max((fix.at - previous.at).total_seconds(), 0.0)
            distance = haversine_m(previous.lon, previous.lat, fix.lon, fix.lat)
            if distance > MAX_SPEED_MS * seconds + JITTER_M:
                flags.append(SPEED)
                continue
        flags.append("")
        previous = fix
    return flags


def track_length_m(points: Iterable[tuple[float, float]]) -> float:
    """Length of a polyline of (lon, lat) points in metres."""
    total, previous = 0.0, None
    for lon, lat in points:
        if previous is not None:
            total += haversine_m(previous[0], previous[1], lon, lat)
        previous = (lon, lat)
    return total


def _local_projection(lon0: float, lat0: float):  # noqa: ANN202 - a Shapely transform
    """Equirectangular metres around (lon0, lat0): exact enough over a grid's few hundred metres."""
    kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    ky = math.radians(1) * EARTH_RADIUS_M

    def project(coords):  # noqa: ANN001, ANN202
        out = coords.copy()
        out[:, 0] = (coords[:, 0] - lon0) * kx
        out[:, 1] = (coords[:, 1] - lat0) * ky
        return out

    return project


def inside_share(points: Sequence[tuple[float, float]], boundary: BaseGeometry | None) -> float | None:
    """The share (0–1) of the track's length that lies inside the boundary.

    One point: 1 or 0 by where it is. No points or no boundary: None (unknown, not zero).
    """
    if boundary is None or not points:
        return None
    if len(points) == 1 or track_length_m(points) == 0:
        return 1.0 if boundary.covers(Point(points[0])) else 0.0
    lon0, lat0 = points[0]
    project = _local_projection(lon0, lat0)
    line = shapely.transform(LineString(points), project)
    area = shapely.transform(boundary, project)
    length = line.length
    return min(1.0, line.intersection(area).length / length) if length else None


@dataclass(frozen=True)
class TrackMetrics:
    length_m: float
    inside_share: float | None
    fix_count: int
    flagged_count: int


def measure(fixes: Sequence[Fix], flags: Sequence[str], boundary: BaseGeometry | None) -> TrackMetrics:
    kept = [(f.lon, f.lat) for f, flag in zip(fixes, flags, strict=True) if not flag]
    return TrackMetrics(
        length_m=round(track_length_m(kept), 1),
        inside_share=inside_share(kept, boundary),
        fix_count=len(fixes),
        flagged_count=sum(1 for flag in flags if flag),
    )

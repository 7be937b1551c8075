"""Possible duplicates: open cases of the same category near the same place, reported lately."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.utils import timezone

from gridwork.cases.models import (
    Case,
    Category,
)

EARTH_RADIUS_M = 6_371_000


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def find_possible_duplicates(
    category: Any,
    lon: float,
    lat: float,
    radius_m: float = 200,
    window: dt.timedelta = dt.timedelta(days=3),
    *,
    now: dt.datetime | None = None,
    exclude_id: int | None = None,
) -> list[Case]:
    """Open cases of the same category within radius_m of the point, reported within the window.

    Unscoped: callers filter with visible_to, or show residents only public fields. Nearest first.
    """
    code = category.code if isinstance(category, Category) else str(category)
    now = now or timezone.now()
    # A bounding box in SQL, the exact distance in Python.
    d_lat = radius_m / 111_320
    d_lon = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    qs = Case.objects.open().filter(
        category__code=code,
        created_at__gte=now - window,
        lon__gte=lon - d_lon,
        lon__lte=lon + d_lon,
        lat__gte=lat - d_lat,
        lat__lte=lat + d_lat,
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    found = [(distance_m(lon, lat, c.lon, c.lat), c) for c in qs]
    return [c for d, c in sorted(found, key=lambda pair: (pair[0], pair[1].pk)) if d <= radius_m]

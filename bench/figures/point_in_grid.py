"""Figure 2: point-in-grid for N random points over the grid polygons, against one STRtree query."""

from __future__ import annotations

import time

import numpy as np
import shapely

from bench.core import Context, Row, at_least
from gridwork.areas.geometry import GridLocator
from gridwork.areas.services import grid_locator

KEY = "2"
TITLE = "point-in-grid"
NEEDS_SERVER = False
TARGET = 0.5


def _best_of(call, times: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def run(ctx: Context) -> list[Row]:
    locator = grid_locator()
    assert isinstance(locator, GridLocator), "the district has no grid boundaries"
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(locator.geoms)
    rng = np.random.default_rng(ctx.seed)
    lons = rng.uniform(min_lon, max_lon, ctx.points)
    lats = rng.uniform(min_lat, max_lat, ctx.points)
    tree = shapely.STRtree(locator.geoms)

    def bare() -> object:
        return tree.query(shapely.points(lons, lats), predicate="intersects")

    ours_s = _best_of(lambda: locator.locate_many(lons, lats))
    bare_s = _best_of(bare)
    # Same answers as the bare query (smallest code on shared edges).
    sample = slice(0, min(2000, ctx.points))
    assert locator.locate_many(lons[sample], lats[sample]) == [
        locator.locate(x, y) for x, y in zip(lons[sample], lats[sample], strict=True)
    ]
    ours, ref = ctx.points / ours_s, ctx.points / bare_s
    ratio = ours / ref
    return [
        Row(
            figure=f"{KEY}. {TITLE}",
            what=f"{ctx.points:,} points over {len(locator.geoms):,} grids (locate_many)",
            value=round(ours),
            unit="points/s",
            reference=round(ref),
            ratio=round(ratio, 2),
            target=f">= {TARGET}",
            passed=at_least(ratio, TARGET),
            note="reference: one vectorised STRtree query",
        )
    ]

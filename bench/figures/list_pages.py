"""Figure 5: the list pages at district scale: at most 5 queries each and within 3x the bare page.

The people of a grid (as its grid worker) and of a community (as its acceptance centre), a grid
worker's cases (the "mine" queue) and a community's case queue (the acceptance centre's "area" tab).
"""

from __future__ import annotations

from bench.core import Context, Row, at_least
from bench.pages import PAGE_TARGET, client_for, sample_areas, time_page
from gridwork.accounts.models import Role
from gridwork.areas.models import Level

KEY = "5"
TITLE = "list pages"
NEEDS_SERVER = False
MAX_QUERIES = 5
PAGES = [
    (Role.GRID_WORKER, Level.GRID, "/areas/{code}/people/"),
    (Role.ACCEPTANCE_CENTRE, Level.COMMUNITY, "/areas/{code}/people/"),
    (Role.GRID_WORKER, Level.GRID, "/cases/?tab=mine"),
    (Role.ACCEPTANCE_CENTRE, Level.COMMUNITY, "/cases/?tab=area"),
]
LABELS = {
    "/areas/{code}/people/": "people of a {level}",
    "/cases/?tab=mine": "cases of a {level} worker",
    "/cases/?tab=area": "case queue of a {level}",
}


def run(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    areas = sample_areas()
    for role, level, template in PAGES:
        area = areas[level]
        timing = time_page(ctx, client_for(role, area), template.format(code=area.code))
        rows.append(
            Row(
                figure=f"{KEY}. {TITLE}",
                what=f"{LABELS[template].format(level=level.name.lower())} {timing.path} "
                f"({timing.size:,} B, {timing.queries} queries)",
                value=round(timing.seconds * 1000, 2),
                unit="ms",
                reference=round(timing.bare_seconds * 1000, 2),
                ratio=round(timing.ratio, 2),
                target=f">= {PAGE_TARGET:.2f} (3x) and <= {MAX_QUERIES} queries",
                passed=timing.queries <= MAX_QUERIES and at_least(timing.ratio, PAGE_TARGET),
                note=f"{timing.queries} queries; {timing.note()}",
            )
        )
    return rows

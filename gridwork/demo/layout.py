"""The plan of the demo district: which streets, communities and grids, their sizes and rectangles.

Pure computation, no database. Every level is a set of rectangles that tiles its parent exactly:
a rectangle is cut into rows, each row into cells, and neighbours share the very same edge
coordinates (computed once, rounded once), so grid boundaries never overlap and leave no gaps.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from gridwork.demo import vocab

COUNTY_CSV = Path(__file__).resolve().parent.parent / "areas" / "data" / "demo_county_110112.csv"

# Scale 1.0: the district of DESIGN §10.
FULL = {
    "streets": 20,
    "communities": 300,
    "grids": 3000,
    "buildings": 50_000,
    "households": 400_000,
    "people": 1_000_000,
}

# Roughly where Tongzhou lies; degrees per kilometre at that latitude.
CENTRE_LON, CENTRE_LAT = 116.65, 39.90
KM_PER_DEG_LON, KM_PER_DEG_LAT = 85.3, 111.0
# Typical grid sizes (km²): a block of flats in town, a village group in the countryside.
URBAN_GRID_KM2, RURAL_GRID_KM2 = 0.12, 0.6


@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    def geojson(self) -> dict:
        ring = [
            [self.x0, self.y0],
            [self.x1, self.y0],
            [self.x1, self.y1],
            [self.x0, self.y1],
            [self.x0, self.y0],
        ]
        return {"type": "Polygon", "coordinates": [ring]}

    def point(self, rng: random.Random, margin: float = 0.05) -> tuple[float, float]:
        """A random point well inside (never on an edge), rounded to about 0.1 m."""
        fx = margin + (1 - 2 * margin) * rng.random()
        fy = margin + (1 - 2 * margin) * rng.random()
        return round(self.x0 + (self.x1 - self.x0) * fx, 6), round(self.y0 + (self.y1 - self.y0) * fy, 6)


@dataclass
class GridPlan:
    code: str
    name: str
    rural: bool
    village: bool  # a village group rather than a block of flats
    weight: float
    rect: Rect | None = None
    buildings: int = 0
    households: int = 0
    people: int = 0


@dataclass
class CommunityPlan:
    code: str
    name: str
    kind: str
    rural: bool
    rect: Rect | None = None
    grids: list[GridPlan] = field(default_factory=list)


@dataclass
class StreetPlan:
    code: str
    name: str
    rural: bool
    rect: Rect | None = None
    communities: list[CommunityPlan] = field(default_factory=list)


@dataclass
class DistrictPlan:
    code: str
    name: str
    rect: Rect
    streets: list[StreetPlan]

    def grids(self) -> list[GridPlan]:
        return [g for s in self.streets for c in s.communities for g in c.grids]

    def communities(self) -> list[CommunityPlan]:
        return [c for s in self.streets for c in s.communities]


def read_county() -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """The real county (code, name) and its real streets and towns, from the csv in the project."""
    with COUNTY_CSV.open(encoding="utf-8") as handle:
        rows = [(r["code"], r["name"]) for r in csv.DictReader(handle)]
    county = next(r for r in rows if len(r[0]) == 6)
    return county, sorted(r for r in rows if len(r[0]) == 9)


def is_town(street_code: str) -> bool:
    # In GB/T 2260 street codes 0xx are urban sub-districts and 1xx towns (rural).
    return street_code[6] == "1"


def pick_streets(streets: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    """Alternate urban streets and towns so even the smallest district has one of each."""
    urban = [s for s in streets if not is_town(s[0])]
    towns = [s for s in streets if is_town(s[0])]
    picked: list[tuple[str, str]] = []
    while len(picked) < count and (urban or towns):
        for pool in (urban, towns):
            if pool and len(picked) < count:
                picked.append(pool.pop(0))
    return sorted(picked)


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split an integer total in proportion to the weights (largest remainder, ties by position)."""
    wsum = sum(weights)
    quotas = [total * w / wsum for w in weights]
    result = [math.floor(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - result[i]), i))
    for i in order[: total - sum(result)]:
        result[i] += 1
    return result


def targets(scale: float) -> dict[str, int]:
    """How many of each thing a district of this scale has (the tree has at least 2 streets)."""
    streets = min(FULL["streets"], max(2, round(FULL["streets"] * math.sqrt(scale))))
    communities = max(streets, round(FULL["communities"] * scale))
    grids = max(communities, round(FULL["grids"] * scale))
    people = max(grids * 3, round(FULL["people"] * scale))
    households = max(grids, min(people, round(FULL["households"] * scale)))
    buildings = max(grids, round(FULL["buildings"] * scale))
    return {
        "streets": streets,
        "communities": communities,
        "grids": grids,
        "buildings": buildings,
        "households": households,
        "people": people,
    }


def _edges(a: float, b: float, weights: list[float]) -> list[float]:
    total = sum(weights)
    cuts, acc = [a], 0.0
    for w in weights[:-1]:
        acc += w
        cuts.append(round(a + (b - a) * acc / total, 6))
    cuts.append(b)
    return cuts


def split(rect: Rect, weights: list[float]) -> list[Rect]:
    """Cut a rectangle into len(weights) rectangles with areas in proportion to the weights."""
    n = len(weights)
    width_km = (rect.x1 - rect.x0) * KM_PER_DEG_LON
    height_km = (rect.y1 - rect.y0) * KM_PER_DEG_LAT
    rows = min(n, max(1, round(math.sqrt(n * height_km / width_km))))
    groups = [weights[r * n // rows : (r + 1) * n // rows] for r in range(rows)]
    # Rows run north to south, cells west to east, so codes read like a page.
    ys = _edges(rect.y1, rect.y0, [sum(g) for g in groups])
    result: list[Rect] = []
    for r, group in enumerate(groups):
        xs = _edges(rect.x0, rect.x1, group)
        for i in range(len(group)):
            result.append(Rect(xs[i], ys[r + 1], xs[i + 1], ys[r]))
    return result


def _community_name(rng: random.Random, village: bool, used: set[str]) -> str:
    while True:
        if village:
            name = vocab.SURNAMES(rng) + rng.choice(vocab.VILLAGE_ROOTS) + "村"
        else:
            name = rng.choice(vocab.PLACE_PREFIXES) + rng.choice(vocab.COMMUNITY_SUFFIXES)
        if name not in used:
            used.add(name)
            return name


def _community_kind(rng: random.Random, town: bool) -> str:
    draw = rng.random()
    if town:
        # Most of a town is villages; its seat has a few residential communities.
        return "village" if draw < 0.8 else "estate"
    return "estate" if draw < 0.55 else "self" if draw < 0.8 else "work_unit"


def plan_district(scale: float, rng: random.Random) -> DistrictPlan:
    want = targets(scale)
    (county_code, county_name), all_streets = read_county()
    streets = [
        StreetPlan(code, name, is_town(code)) for code, name in pick_streets(all_streets, want["streets"])
    ]
    per_street = apportion(want["communities"], [1.0] * len(streets))
    names: set[str] = set()
    for street, count in zip(streets, per_street, strict=True):
        n_community = n_village = 0
        for i in range(count):
            # A town's first community is a village, so every demo has a village and its groups.
            kind = "village" if street.rural and i == 0 else _community_kind(rng, street.rural)
            village = kind == "village"
            # Statistical codes: 001–199 residents' committees, 200–399 villagers' committees.
            if village:
                n_village += 1
                suffix = 200 + n_village
            else:
                n_community += 1
                suffix = n_community
            street.communities.append(
                CommunityPlan(
                    f"{street.code}{suffix:03d}", _community_name(rng, village, names), kind, street.rural
                )
            )
        street.communities.sort(key=lambda c: c.code)
    communities = [c for s in streets for c in s.communities]
    per_community = apportion(want["grids"], [1.0] * len(communities))
    for community, count in zip(communities, per_community, strict=True):
        village = community.kind == "village"
        for n in range(1, count + 1):
            name = f"第{n}村民小组" if village else f"第{n}网格"
            community.grids.append(
                GridPlan(
                    f"{community.code}{n:03d}", name, community.rural, village, weight=rng.uniform(0.7, 1.3)
                )
            )
    plan = DistrictPlan(county_code, county_name, Rect(0, 0, 0, 0), streets)
    _size(plan, want)
    _place(plan)
    return plan


def _size(plan: DistrictPlan, want: dict[str, int]) -> None:
    grids = plan.grids()
    weights = [g.weight for g in grids]
    for g, n in zip(grids, apportion(want["people"], weights), strict=True):
        g.people = n
    for g, n in zip(grids, apportion(want["households"], weights), strict=True):
        g.households = max(1, min(n, g.people))
    # Villages are many small courtyard houses; town blocks fewer, larger buildings.
    building_weights = [g.weight * (3.0 if g.village else 1.0) for g in grids]
    for g, n in zip(grids, apportion(want["buildings"], building_weights), strict=True):
        g.buildings = max(1, n)


def _grid_km2(g: GridPlan) -> float:
    return RURAL_GRID_KM2 if g.village else URBAN_GRID_KM2


def _place(plan: DistrictPlan) -> None:
    area_km2 = sum(_grid_km2(g) for g in plan.grids())
    side_km = math.sqrt(area_km2)
    half_lon = side_km / KM_PER_DEG_LON / 2
    half_lat = side_km / KM_PER_DEG_LAT / 2
    plan.rect = Rect(
        round(CENTRE_LON - half_lon, 6),
        round(CENTRE_LAT - half_lat, 6),
        round(CENTRE_LON + half_lon, 6),
        round(CENTRE_LAT + half_lat, 6),
    )
    street_w = [sum(_grid_km2(g) for c in s.communities for g in c.grids) for s in plan.streets]
    for street, rect in zip(plan.streets, split(plan.rect, street_w), strict=True):
        street.rect = rect
        community_w = [sum(_grid_km2(g) for g in c.grids) for c in street.communities]
        for community, crect in zip(street.communities, split(rect, community_w), strict=True):
            community.rect = crect
            for grid, grect in zip(
                community.grids, split(crect, [_grid_km2(g) for g in community.grids]), strict=True
            ):
                grid.rect = grect

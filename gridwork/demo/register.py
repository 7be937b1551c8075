"""The register of one grid: buildings with points inside it, houses, households, organisations, objects.

Rows are plain dicts (field attname → value) that get their primary keys here, from the writer's
counters, so foreign keys are integers set without a round-trip; the people come from PeopleMaker.
Plain rows rather than model instances: building two million instances costs more than inserting them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import models

from gridwork.demo import vocab
from gridwork.demo.codes import CreditCodes
from gridwork.demo.layout import CommunityPlan, GridPlan, StreetPlan, apportion
from gridwork.demo.people import PeopleMaker, Row, household_sizes
from gridwork.registry import choices as c
from gridwork.registry.models import (
    Building,
    FacilityObject,
    House,
    Household,
    Organization,
    Person,
    PersonTag,
)


def _about(rng: random.Random, mean: float) -> int:
    """A count that varies around the mean (±50 %), never negative."""
    return max(0, int(mean * (0.5 + rng.random()) + rng.random()))


def _floor_plan(rng: random.Random, need: int, village: bool) -> tuple[int, int, int]:
    """(floors, units, rooms per floor per unit) with room for `need` houses."""
    if village:
        floors = 1 if need <= 2 else 2
        return floors, 1, math.ceil(need / floors)
    units = 1 if need <= 12 else 2 if need <= 40 else 3 if need <= 90 else 4
    per_floor = 2 if need / units <= 48 else 4
    floors = math.ceil(need / (units * per_floor))
    if floors > 33:
        per_floor = math.ceil(need / (units * 33))
        floors = math.ceil(need / (units * per_floor))
    return floors, units, per_floor


class RegisterMaker:
    def __init__(
        self,
        rng: random.Random,
        county: str,
        people: PeopleMaker,
        new_id: Callable[[type], int],
        add: Callable[[type[models.Model], Row], None],
    ) -> None:
        self.rng = rng
        self.county = county
        self.people = people
        self.new_id = new_id
        self.add = add
        self.credit = CreditCodes(county)
        self.object_serials: dict[tuple[str, int], int] = {}
        self.counts = {"people": 0}

    def _org(
        self,
        grid: GridPlan,
        kind: str,
        name: str,
        *,
        credit: bool = True,
        employees: int | None = None,
        address: str = "",
    ) -> Row:
        rng = self.rng
        lon, lat = grid.rect.point(rng)
        org = dict(
            id=self.new_id(Organization),
            grid_id=grid.code,
            name=name,
            kind=kind,
            credit_code=self.credit.make(rng, kind) if credit else None,
            address=address,
            contact_name=vocab.person_name(rng, "M" if rng.random() < 0.5 else "F"),
            contact_phone=vocab.mobile(rng),
            lon=lon,
            lat=lat,
            employees=employees,
        )
        self.add(Organization, org)
        return org

    def property_companies(self, street: StreetPlan) -> list[int]:
        """The property-management companies of a street, seated in some of its grids."""
        grids = [g for cm in street.communities for g in cm.grids]
        ids = []
        for _ in range(max(1, math.ceil(len(grids) / 25))):
            grid = grids[int(self.rng.random() * len(grids))]
            name = f"北京{self.rng.choice(vocab.BRANDS)}{self.rng.choice(['物业管理', '物业服务'])}有限公司"
            ids.append(self._org(grid, c.OrgKind.PROPERTY, name, employees=self.rng.randint(30, 400))["id"])
        return ids

    def community_orgs(self, community: CommunityPlan) -> None:
        """What every community or village has: its party branch, a clinic, maybe a school and a club."""
        rng = self.rng
        grid = community.grids[0]
        short = community.name.removesuffix("社区")
        village = community.kind == "village"
        self._org(grid, c.OrgKind.PARTY, f"{short}{'党支部' if village else '党委'}", credit=False)
        self._org(
            grid,
            c.OrgKind.PUBLIC,
            f"{short}{'卫生室' if village else '社区卫生服务站'}",
            employees=rng.randint(3, 20),
        )
        if rng.random() < 0.6:
            school = rng.choice(["幼儿园", "小学", "中学"] if not village else ["幼儿园", "小学"])
            self._org(grid, c.OrgKind.SCHOOL, f"北京市通州区{short}{school}", employees=rng.randint(20, 150))
        if rng.random() < 0.5:
            self._org(grid, c.OrgKind.SOCIAL, f"{short}{rng.choice(['老年协会', '志愿者协会', '文体协会'])}")

    def grid(
        self, grid: GridPlan, community: CommunityPlan, companies: list[int], officer_id: int | None
    ) -> None:
        rng = self.rng
        road = rng.choice(vocab.PLACE_PREFIXES) + rng.choice(vocab.ROAD_SUFFIXES)
        self._grid_orgs(grid, road)
        self._grid_objects(grid)
        estates = self._estates(grid, community, companies)
        weights = [0.4 + rng.random() for _ in range(grid.buildings)]
        per_building = apportion(grid.households, weights)
        sizes = iter(household_sizes(rng, grid.households, grid.people))
        house_no = 0
        for b, households in enumerate(per_building, start=1):
            estate, company = estates[(b - 1) * len(estates) // grid.buildings]
            building, layout = self._building(grid, community, road, b, households, estate, company)
            for house in self._houses(grid, building, layout, households):
                if house["use"] in (c.HouseUse.OWNER_OCCUPIED, c.HouseUse.RENTED):
                    house_no += 1
                    head_id = self._household(grid, house, house_no, next(sizes), officer_id)
                    if house["use"] == c.HouseUse.OWNER_OCCUPIED:
                        house["owner_id"] = head_id
                    if building["head_id"] is None and rng.random() < 0.6:
                        building["head_id"] = head_id

    def _estates(
        self, grid: GridPlan, community: CommunityPlan, companies: list[int]
    ) -> list[tuple[str, int | None]]:
        rng = self.rng
        if grid.village:
            return [("", None)]
        result = []
        for _ in range(1 if grid.buildings < 6 else rng.randint(1, 3)):
            name = rng.choice(vocab.PLACE_PREFIXES) + rng.choice(vocab.ESTATE_SUFFIXES)
            managed = community.kind == "estate" or rng.random() < 0.4
            result.append((name, companies[int(rng.random() * len(companies))] if managed else None))
        return result

    def _building(
        self,
        grid: GridPlan,
        community: CommunityPlan,
        road: str,
        number: int,
        households: int,
        estate: str,
        company: int | None,
    ) -> tuple[Row, tuple[int, int, int]]:
        rng = self.rng
        need = max(1, households + round(households * rng.uniform(0.03, 0.15)))
        floors, units, per_floor = _floor_plan(rng, need, grid.village)
        lon, lat = grid.rect.point(rng)
        if grid.village:
            label, address = f"{number}号院", f"{community.name}{number}号"
        else:
            label, address = f"{number}号楼", f"{road}{rng.randint(1, 200)}号{estate}{number}号楼"
        building = dict(
            id=self.new_id(Building),
            grid_id=grid.code,
            code=f"{grid.code}{number:03d}",
            estate=estate,
            number=label,
            address=address,
            lon=lon,
            lat=lat,
            floors=floors,
            units=units,
            property_company_id=company,
            head_id=None,
        )
        self.add(Building, building)
        return building, (floors, units, per_floor)

    def _houses(
        self, grid: GridPlan, building: Row, layout: tuple[int, int, int], households: int
    ) -> list[Row]:
        rng = self.rng
        floors, units, per_floor = layout
        capacity = floors * units * per_floor
        occupied = set(rng.sample(range(capacity), households))
        houses = []
        index = 0
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for pos in range(1, per_floor + 1):
                    if index in occupied:
                        use = (
                            c.HouseUse.RENTED
                            if rng.random() < (0.15 if grid.village else 0.3)
                            else c.HouseUse.OWNER_OCCUPIED
                        )
                    else:
                        use = (
                            c.HouseUse.COMMERCIAL if floor == 1 and rng.random() < 0.4 else c.HouseUse.VACANT
                        )
                    area = (
                        Decimal(rng.randrange(3500, 14000)) / 100
                        if not grid.village
                        else Decimal(rng.randrange(6000, 20000)) / 100
                    )
                    house = dict(
                        id=self.new_id(House),
                        grid_id=grid.code,
                        building_id=building["id"],
                        unit=unit,
                        floor=floor,
                        room=f"{floor}{pos:02d}",
                        floor_area=area,
                        use=use,
                        owner_id=None,
                    )
                    self.add(House, house)
                    houses.append(house)
                    index += 1
        return houses

    def _household(self, grid: GridPlan, house: Row, number: int, size: int, officer_id: int | None) -> int:
        rng = self.rng
        household_id = self.new_id(Household)
        floating = house["use"] == c.HouseUse.RENTED and rng.random() < 0.75
        people, tags = self.people.household(grid.code, household_id, size, grid.rural, floating, officer_id)
        self.add(
            Household,
            dict(
                id=household_id,
                grid_id=grid.code,
                number=f"{grid.code}{number:04d}",
                house_id=house["id"],
                head_id=people[0]["id"],
            ),
        )
        for row in people:
            self.add(Person, row)
        for row in tags:
            self.add(PersonTag, row)
        self.counts["people"] += len(people)
        return people[0]["id"]

    def _grid_orgs(self, grid: GridPlan, road: str) -> None:
        rng = self.rng
        for _ in range(_about(rng, 1.5 if grid.village else 4.0)):
            owner = vocab.SURNAMES(rng)
            self._org(
                grid,
                c.OrgKind.SHOP,
                f"{owner}记{rng.choice(vocab.SHOP_KINDS)}",
                employees=rng.randint(1, 8),
                address=f"{road}{rng.randint(1, 300)}号",
            )
        for _ in range(_about(rng, 2.0 if grid.village else 1.0)):
            name = f"北京{rng.choice(vocab.BRANDS)}{rng.choice(vocab.ENTERPRISE_KINDS)}有限公司"
            self._org(
                grid,
                c.OrgKind.ENTERPRISE,
                name,
                employees=rng.randint(5, 300),
                address=f"{road}{rng.randint(1, 300)}号",
            )

    def _grid_objects(self, grid: GridPlan) -> None:
        rng = self.rng
        classes = {code: (subs, dept) for code, subs, dept in vocab.OBJECT_CLASSES}
        for _ in range(_about(rng, 12 if grid.village else 30)):
            cls = vocab.OBJECT_CLASS_WEIGHTS(rng)
            subclasses, department = classes[cls]
            sub = int(rng.random() * len(subclasses))
            serial = self.object_serials.get((cls, sub), 0) + 1
            self.object_serials[(cls, sub)] = serial
            draw = rng.random()
            state = (
                c.ObjectState.DAMAGED
                if draw < 0.03
                else c.ObjectState.LOST
                if draw < 0.035
                else c.ObjectState.OCCUPIED
                if draw < 0.04
                else c.ObjectState.INTACT
            )
            lon, lat = grid.rect.point(rng)
            self.add(
                FacilityObject,
                dict(
                    id=self.new_id(FacilityObject),
                    grid_id=grid.code,
                    code=f"{self.county}{cls}{sub + 1:02d}{serial:06d}",
                    object_class=cls,
                    subclass=subclasses[sub],
                    name=subclasses[sub],
                    lon=lon,
                    lat=lat,
                    owner_department=department,
                    state=state,
                ),
            )

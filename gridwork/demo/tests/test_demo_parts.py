"""The pure parts of the demo builder: the plan and the code generators (no database)."""

from __future__ import annotations

import datetime as dt
import random

import shapely
from shapely.geometry import shape

from gridwork.core.validators import parse_resident_id, validate_credit_code
from gridwork.demo.codes import CreditCodes, ResidentIds, _org_code_check
from gridwork.demo.layout import FULL, apportion, plan_district, targets
from gridwork.demo.people import household_sizes


def test_full_scale_plan_matches_the_design_and_tiles() -> None:
    plan = plan_district(1.0, random.Random(1))
    grids = plan.grids()
    assert len(plan.streets) == FULL["streets"]
    assert len(plan.communities()) == FULL["communities"]
    assert len(grids) == FULL["grids"]
    assert sum(g.people for g in grids) == FULL["people"]
    assert sum(g.households for g in grids) == FULL["households"]
    assert sum(g.buildings for g in grids) == FULL["buildings"]
    shapes = [shape(g.rect.geojson()) for g in grids]
    union = shapely.union_all(shapes)
    assert abs(sum(s.area for s in shapes) / union.area - 1) < 1e-9
    assert abs(union.area / shape(plan.rect.geojson()).area - 1) < 1e-9
    # Around Tongzhou, and about as large (900 km²: degrees² × km per degree²).
    assert plan.rect.x0 < 116.65 < plan.rect.x1 and plan.rect.y0 < 39.90 < plan.rect.y1
    assert 700 < union.area * 85.3 * 111.0 < 1200


def test_plan_is_repeatable() -> None:
    a = plan_district(0.05, random.Random(5))
    b = plan_district(0.05, random.Random(5))
    assert [(g.code, g.rect, g.people) for g in a.grids()] == [(g.code, g.rect, g.people) for g in b.grids()]


def test_small_scales_keep_a_street_and_a_town() -> None:
    for scale in (0.0001, 0.001, 0.005):
        want = targets(scale)
        assert want["streets"] >= 2 and want["grids"] >= want["communities"] >= want["streets"]
        plan = plan_district(scale, random.Random(1))
        assert {s.rural for s in plan.streets} == {True, False}


def test_apportion_keeps_the_total() -> None:
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(apportion(1_000_000, [random.Random(i).random() + 0.1 for i in range(3000)])) == 1_000_000


def test_household_sizes_add_up() -> None:
    rng = random.Random(2)
    sizes = household_sizes(rng, 133, 333)
    assert sum(sizes) == 333 and min(sizes) >= 1


def test_resident_ids_are_unique_even_on_a_crowded_day() -> None:
    ids = ResidentIds("110112")
    day = dt.date(1980, 6, 1)
    made = [ids.make(day, "F") for _ in range(600)]
    numbers = [n for n, _ in made]
    assert len(set(numbers)) == 600
    # The 501st woman born that day moves to the day before, and her ID number says so.
    assert {d for _, d in made} == {day, day - dt.timedelta(days=1)}
    for number, birth in made:
        assert parse_resident_id(number) == (birth, "F")


def test_credit_codes_carry_both_check_characters() -> None:
    codes = CreditCodes("110112")
    rng = random.Random(3)
    for kind in ("enterprise", "shop", "school", "social", "property", "public"):
        for _ in range(50):
            code = codes.make(rng, kind)
            validate_credit_code(code)
            assert _org_code_check(code[8:16]) == code[16]
    # By hand: D=13 → 13·3 + 2·7 + 1·9 + 4·10 + 3·5 + 5·8 + 6·4 + 9·2 = 199, 11 − 199 mod 11 = 10 → X.
    assert _org_code_check("D2143569") == "X"
    assert _org_code_check("00000000") == "0"

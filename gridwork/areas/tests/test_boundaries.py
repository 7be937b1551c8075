"""Boundary versions, polygon checks, point-in-grid lookups, and buildings moving with a boundary."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gridwork.areas import services
from gridwork.areas.models import AreaBoundary
from gridwork.conftest import GRID_A1, GRID_A2, GRID_B1, GRID_ORIGINS, District, square
from gridwork.core.models import RecordHistory
from gridwork.core.system import SYSTEM
from gridwork.registry.models import Building, House, Household, Person, PersonTag

START = dt.date(2024, 1, 1)


def rectangle(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> dict:
    ring = [
        [min_lon, min_lat],
        [max_lon, min_lat],
        [max_lon, max_lat],
        [min_lon, max_lat],
        [min_lon, min_lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def test_new_version_closes_the_current_one(district: District) -> None:
    lon, lat = GRID_ORIGINS[GRID_B1]
    new = services.set_boundary(SYSTEM, GRID_B1, square(lon, lat, 0.02), valid_from=dt.date(2025, 3, 1))
    versions = list(AreaBoundary.objects.filter(area__code=GRID_B1).order_by("valid_from"))
    assert [(v.valid_from, v.valid_to) for v in versions] == [
        (START, dt.date(2025, 3, 1)),
        (dt.date(2025, 3, 1), None),
    ]
    assert AreaBoundary.objects.filter(area__code=GRID_B1).current().get() == new
    assert AreaBoundary.objects.filter(area__code=GRID_B1).valid_on(dt.date(2025, 2, 28)).get() == versions[0]
    assert AreaBoundary.objects.filter(area__code=GRID_B1).valid_on(dt.date(2025, 3, 1)).get() == new
    assert not AreaBoundary.objects.filter(area__code=GRID_B1).valid_on(dt.date(2023, 12, 31)).exists()
    assert (new.min_lon, new.max_lon) == pytest.approx((lon, lon + 0.02))
    assert RecordHistory.objects.filter(object_type="areas.area", action="boundary").count() == 5


def test_a_version_must_start_after_the_current_one(district: District) -> None:
    with pytest.raises(ValidationError) as info:
        services.set_boundary(SYSTEM, GRID_B1, square(*GRID_ORIGINS[GRID_B1]), valid_from=START)
    assert "valid_from" in info.value.message_dict
    assert AreaBoundary.objects.filter(area__code=GRID_B1).get().valid_to is None


BAD_POLYGONS = [
    ({"type": "Polygon", "coordinates": [[1, 2]]}, "malformed"),
    ({"type": "Polygon", "coordinates": "here"}, "malformed"),
    ({"type": "Point", "coordinates": [116.6, 39.9]}, "Polygon or MultiPolygon"),
    ("not json at all", "Polygon or MultiPolygon"),
    ({"type": "Polygon", "coordinates": []}, "empty"),
    (rectangle(116.6, 39.9, 216.6, 39.95), "longitude and latitude"),
    # A bow tie: the ring crosses itself.
    (
        {
            "type": "Polygon",
            "coordinates": [[[116.6, 39.9], [116.61, 39.91], [116.61, 39.9], [116.6, 39.91], [116.6, 39.9]]],
        },
        "not a valid polygon",
    ),
]


def test_bad_polygons_are_refused_and_nothing_changes(district: District) -> None:
    before = list(AreaBoundary.objects.values_list("pk", "valid_to"))
    for geojson, words in BAD_POLYGONS:
        with translation.override("en"), pytest.raises(ValidationError) as info:
            services.set_boundary(SYSTEM, GRID_B1, geojson, valid_from=dt.date(2025, 1, 1))
        assert list(info.value.message_dict) == ["geojson"]
        assert words in info.value.message_dict["geojson"][0], geojson
        assert list(AreaBoundary.objects.values_list("pk", "valid_to")) == before


def test_polygon_message_in_chinese(district: District) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        services.set_boundary(SYSTEM, GRID_B1, {"type": "Point", "coordinates": [1, 2]})
    message = info.value.message_dict["geojson"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_only_district_staff_draw_boundaries(district: District) -> None:
    for who in ("centre_a", "street_a", "worker_a1", "admin"):
        with pytest.raises(PermissionDenied):
            services.set_boundary(district.users[who], GRID_A1, square(*GRID_ORIGINS[GRID_A1]))
    services.set_boundary(
        district.users["district"], GRID_A1, square(*GRID_ORIGINS[GRID_A1]), valid_from=dt.date(2025, 1, 1)
    )


def test_locate_grid(district: District) -> None:
    assert services.locate_grid(116.605, 39.905) == GRID_A1
    assert services.locate_grid(116.615, 39.905) == GRID_A2
    assert services.locate_grid(116.705, 39.805) == GRID_B1
    assert services.locate_grid(100.0, 30.0) is None
    # On the edge two grids share, the smaller code wins, every time.
    assert services.locate_grid(116.61, 39.905) == GRID_A1
    assert services.locate_grid(116.605, 39.905, day=dt.date(2023, 6, 1)) is None
    locator = services.grid_locator()
    assert locator.locate_many([116.605, 116.615, 0.0], [39.905, 39.905, 0.0]) == [GRID_A1, GRID_A2, None]


def test_redrawn_boundary_moves_building_and_everything_in_it_with_history(district: District) -> None:
    building = district.buildings[GRID_A1]  # at 116.605, 39.905
    today = timezone.localdate()
    # Grid 2 grows west over the building; grid 1 still holds it, and the smaller code keeps it.
    services.set_boundary(SYSTEM, GRID_A2, rectangle(116.603, 39.90, 116.62, 39.91), valid_from=today)
    assert Building.objects.get(pk=building.pk).grid_id == GRID_A1
    # Grid 1 shrinks away from the building: it now lies in grid 2 only and moves there, even
    # though it is outside grid 1's new shape.
    services.set_boundary(SYSTEM, GRID_A1, rectangle(116.60, 39.90, 116.603, 39.91), valid_from=today)
    assert Building.objects.get(pk=building.pk).grid_id == GRID_A2
    house = House.objects.get(building=building)
    household = Household.objects.get(house=house)
    person = Person.objects.get(household=household)
    assert (house.grid_id, household.grid_id, person.grid_id) == (GRID_A2, GRID_A2, GRID_A2)
    assert set(PersonTag.objects.filter(person=person).values_list("grid_id", flat=True)) == {GRID_A2}
    moves = RecordHistory.objects.filter(action="move")
    assert {m.object_type for m in moves} == {
        "registry.building",
        "registry.house",
        "registry.household",
        "registry.person",
        "registry.persontag",
    }
    move = moves.get(object_type="registry.building")
    assert (move.before, move.after) == ({"grid_id": GRID_A1}, {"grid_id": GRID_A2})
    # The worker of grid 2 now sees the person; the worker of grid 1 no longer does.
    assert Person.objects.visible_to(district.users["worker_a2"]).filter(pk=person.pk).exists()
    assert not Person.objects.visible_to(district.users["worker_a1"]).filter(pk=person.pk).exists()


def test_building_outside_every_grid_keeps_its_grid(district: District) -> None:
    building = district.buildings[GRID_B1]  # at 116.705, 39.805
    services.set_boundary(
        SYSTEM, GRID_B1, rectangle(116.70, 39.80, 116.703, 39.81), valid_from=timezone.localdate()
    )
    assert Building.objects.get(pk=building.pk).grid_id == GRID_B1

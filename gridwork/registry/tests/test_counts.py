"""The per-area counts stay equal to a GROUP BY over the register after every kind of change."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q

from gridwork.areas.models import Area
from gridwork.conftest import (
    COMMUNITY_A,
    GRID_A1,
    GRID_A2,
    GRID_B1,
    GRID_ORIGINS,
    STREET_A,
    District,
    make_id,
)
from gridwork.core.system import SYSTEM
from gridwork.registry import services, stats
from gridwork.registry.counts import rebuild_counts
from gridwork.registry.merge import merge_persons
from gridwork.registry.models import AreaCount, Household, KeyGroup, Person, PersonTag

TODAY = dt.date.today()
LEVELS = (6, 9, 12, 15)


def expected_from_register() -> Counter:
    """Every nonzero count at every level, by GROUP BY over the register (independent of counts.py)."""
    per_grid: Counter = Counter()
    living = Person.objects.filter(status="living")
    for row in living.values("grid_id").annotate(
        n=Count("id"), party=Count("id", filter=Q(political_status__in=["party_member", "probationary"]))
    ):
        per_grid[(row["grid_id"], "people")] += row["n"]
        per_grid[(row["grid_id"], "party_members")] += row["party"]
    for grid, n in Person.objects.values_list("grid_id").annotate(n=Count("id")).order_by():
        per_grid[(grid, "registered")] += n
    for grid, n in Household.objects.values_list("grid_id").annotate(n=Count("id")):
        per_grid[(grid, "households")] += n
    open_tags = PersonTag.objects.filter(until__isnull=True, person__status="living")
    for grid, group, n in open_tags.values_list("grid_id", "group_id").annotate(n=Count("id")):
        per_grid[(grid, f"group:{group}")] += n
    result: Counter = Counter()
    for (grid, metric), n in per_grid.items():
        for length in LEVELS:
            result[(grid[:length], metric)] += n
    return +result  # drops zeros


def stored() -> Counter:
    return +Counter({(r.area_code, r.metric): r.value for r in AreaCount.objects.all()})


def assert_exact() -> None:
    assert stored() == expected_from_register()
    # And what the pages show, with tags ending in the future, equals a scan per area.
    for code in Area.objects.values_list("code", flat=True):
        counts = stats.area_counts(code)
        living = Person.objects.filter(grid__code__startswith=code, status="living")
        assert counts["people"] == living.count()
        assert (
            counts["party_members"]
            == living.filter(political_status__in=["party_member", "probationary"]).count()
        )
        assert counts["households"] == Household.objects.filter(grid__code__startswith=code).count()
        current = PersonTag.objects.filter(
            Q(until__isnull=True) | Q(until__gte=TODAY), grid__code__startswith=code, person__status="living"
        )
        for row in counts["groups"]:
            assert row["count"] == current.filter(group=row["group"]).count(), (code, row["group"].code)


def add_person(grid: str, serial: int, **extra: object) -> Person:
    household = services.save_record(SYSTEM, Household, {"number": f"HX{serial}", "grid": grid})
    data = {
        "household": household.pk,
        "relation": "head",
        "name": f"计数{serial}",
        "id_number": make_id(dt.date(1980, 1, 1 + serial % 28), serial, "F"),
        **extra,
    }
    return services.save_record(SYSTEM, Person, data)


def tag(person: Person, group_code: str, **extra: object) -> PersonTag:
    group = KeyGroup.objects.get(code=group_code)
    data = {"person": person.pk, "group": group.pk, "since": dt.date(2024, 1, 1), **extra}
    return services.save_record(SYSTEM, PersonTag, data)


def test_the_fixture_district_is_counted(district: District) -> None:
    assert stored()[(GRID_A1, "people")] == 1
    assert stored()[("110112", "people")] == 4
    assert_exact()


def test_creates_count_at_every_level(district: District) -> None:
    add_person(GRID_A2, 11, political_status="party_member")
    add_person(GRID_A2, 12)
    assert stored()[(GRID_A2, "people")] == 3
    assert stored()[(COMMUNITY_A, "party_members")] == 3
    assert stored()[(STREET_A, "households")] == 4
    assert_exact()


def test_death_removes_the_person_and_the_tags_and_revival_restores_them(district: District) -> None:
    person = district.people[GRID_A1]
    services.save_record(SYSTEM, Person, {"status": "deceased"}, pk=person.pk)
    assert stored()[(GRID_A1, "people")] == 0
    assert not any(metric.startswith("group:") for (_, metric) in stored())
    assert_exact()
    services.save_record(SYSTEM, Person, {"status": "living"}, pk=person.pk)
    assert_exact()


def test_moving_out_and_political_status(district: District) -> None:
    person = district.people[GRID_A2]
    services.save_record(SYSTEM, Person, {"political_status": "masses"}, pk=person.pk)
    assert stored()[(GRID_A2, "party_members")] == 0
    assert_exact()
    services.save_record(SYSTEM, Person, {"political_status": "probationary"}, pk=person.pk)
    assert_exact()
    services.save_record(SYSTEM, Person, {"status": "moved_out"}, pk=person.pk)
    assert stored()[(GRID_A2, "people")] == 0
    assert_exact()


def test_moving_a_person_to_another_grid_moves_the_tags(district: District) -> None:
    person = district.people[GRID_A1]
    services.save_record(SYSTEM, Person, {"household": None, "grid": GRID_B1}, pk=person.pk)
    assert stored()[(GRID_B1, "people")] == 2
    assert PersonTag.objects.filter(person=person, grid_id=GRID_B1).count() == 2
    assert_exact()


def test_moving_a_building_moves_everyone_in_it(district: District) -> None:
    lon, lat = GRID_ORIGINS[GRID_B1]
    building = district.buildings[GRID_A1]
    services.save_record(SYSTEM, type(building), {"lon": lon + 0.004, "lat": lat + 0.004}, pk=building.pk)
    assert Person.objects.get(pk=district.people[GRID_A1].pk).grid_id == GRID_B1
    assert stored()[(STREET_A, "people")] == 1
    assert_exact()


def test_tags_added_ended_and_ending_later(district: District) -> None:
    person = district.people[GRID_B1]
    veteran = tag(person, "veteran")
    assert_exact()
    services.save_record(SYSTEM, PersonTag, {"until": TODAY - dt.timedelta(days=1)}, pk=veteran.pk)
    assert_exact()
    # A tag ending next month counts until then, though no stored count holds it.
    later = tag(person, "disabled", until=TODAY + dt.timedelta(days=30))
    groups = {row["group"].code: row["count"] for row in stats.area_counts(GRID_B1)["groups"]}
    assert groups["disabled"] == 1
    assert_exact()
    services.save_record(SYSTEM, PersonTag, {"until": None}, pk=later.pk)
    assert_exact()


def test_deletes(district: District) -> None:
    a1 = district.people[GRID_A1]
    services.delete_record(SYSTEM, PersonTag, a1.tags.first().pk)
    assert_exact()
    extra = add_person(GRID_A1, 21)
    tag(extra, "veteran")
    # Its tags go with the person (a cascade), each subtracting itself once.
    services.delete_record(SYSTEM, Person, extra.pk)
    assert_exact()
    services.delete_record(SYSTEM, Household, Household.objects.get(number="HX21").pk)
    assert_exact()


def test_merging_two_records_keeps_the_counts(district: District) -> None:
    twin = add_person(GRID_A2, 31)
    tag(twin, "veteran")
    merge_persons(SYSTEM, district.people[GRID_A2].pk, twin.pk, "same person entered twice")
    assert_exact()


def test_a_rolled_back_change_leaves_the_counts(district: District) -> None:
    before = stored()
    with pytest.raises(RuntimeError), transaction.atomic():
        add_person(GRID_A1, 41)
        raise RuntimeError("abandoned")
    assert stored() == before
    assert_exact()


def test_rebuild_command_gives_the_same_counts(district: District) -> None:
    add_person(GRID_B1, 51, political_status="party_member")
    maintained = stored()
    AreaCount.objects.all().update(value=0)
    out = StringIO()
    call_command("rebuild_counts", stdout=out)
    assert "count rows rebuilt" in out.getvalue()
    assert stored() == maintained
    assert_exact()


def test_rebuild_makes_a_row_for_every_area_and_metric(district: District) -> None:
    rows = rebuild_counts()
    assert rows == Area.objects.count() * (4 + KeyGroup.objects.count())  # 3 base metrics + registered
    assert AreaCount.objects.get(area_code=GRID_A2, metric=f"group:{KeyGroup.objects.first().pk}").value == 0

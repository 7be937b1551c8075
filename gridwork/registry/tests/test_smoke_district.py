from gridwork.conftest import GRID_A1, GRID_B1, GRID_B2, District
from gridwork.registry.models import Person


def test_district_fixture_builds_and_scopes(district: District) -> None:
    assert Person.objects.count() == 4
    assert list(Person.objects.visible_to(district.users["worker_a1"]).values_list("grid_id", flat=True)) == [
        GRID_A1
    ]
    assert sorted(
        Person.objects.visible_to(district.users["street_b"]).values_list("grid_id", flat=True)
    ) == [
        GRID_B1,
        GRID_B2,
    ]
    assert Person.objects.visible_to(district.users["nobody"]).count() == 0
    assert Person.objects.visible_to(district.users["admin"]).count() == 0
    assert Person.objects.visible_to(district.users["district"]).count() == 4

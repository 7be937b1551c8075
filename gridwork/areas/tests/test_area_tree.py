"""The area tree: codes as materialised paths, levels from their length, queryset methods, writes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gridwork.areas import services
from gridwork.areas.models import Area, Level, ancestor_codes, level_of_code
from gridwork.conftest import COMMUNITY_A, GRID_A1, GRID_A2, GRID_B1, GRID_B2, STREET_A, STREET_B, District
from gridwork.core.models import RecordHistory
from gridwork.core.system import SYSTEM

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_level_from_code_length() -> None:
    assert [level_of_code(c) for c in ("110112", STREET_A, COMMUNITY_A, GRID_A1)] == [1, 2, 3, 4]
    assert ancestor_codes(GRID_A1) == ["110112", STREET_A, COMMUNITY_A]
    assert ancestor_codes("110112") == []


def test_tree_built_by_the_service_links_parents(district: District) -> None:
    grid = Area.objects.get(code=GRID_A1)
    assert grid.level == Level.GRID
    assert grid.parent.code == COMMUNITY_A
    assert grid.parent.parent.code == STREET_A
    assert grid.parent.parent.parent.parent is None
    # A village group inherits "rural" from its town.
    assert Area.objects.get(code=GRID_B1).rural is True
    with translation.override("en"):
        assert Area.objects.get(code=GRID_B1).level_name == "village group"
        assert grid.level_name == "grid"


def test_queryset_methods(district: District) -> None:
    def codes(qs: Any) -> list[str]:
        return list(qs.values_list("code", flat=True))

    assert codes(Area.objects.subtree(COMMUNITY_A)) == [COMMUNITY_A, GRID_A1, GRID_A2]
    assert codes(Area.objects.subtree(COMMUNITY_A, include_self=False)) == [GRID_A1, GRID_A2]
    assert codes(Area.objects.ancestors(GRID_B2)) == ["110112", STREET_B, "110112104201"]
    assert codes(Area.objects.at_level(Level.STREET)) == [STREET_A, STREET_B]
    assert codes(Area.objects.grids()) == [GRID_A1, GRID_A2, GRID_B1, GRID_B2]
    assert codes(Area.objects.under_any([GRID_A2, STREET_B]).grids()) == [GRID_A2, GRID_B1, GRID_B2]
    assert codes(Area.objects.under_any([])) == []
    assert codes(Area.objects.visible_to(district.users["worker_a1"])) == [GRID_A1]
    assert codes(Area.objects.visible_to(district.users["street_b"]).at_level(Level.GRID)) == [
        GRID_B1,
        GRID_B2,
    ]
    assert codes(Area.objects.visible_to(district.users["nobody"])) == []
    # Department handlers see the areas (to route cases) but no register.
    assert len(codes(Area.objects.visible_to(district.users["department"]))) == 4


@pytest.mark.parametrize(
    "code",
    [
        "11011",  # bad length
        "990112",  # no such province
        "110112000",  # a level of 000
        "110199001",  # its parent 110199 does not exist
        "110112001009001",  # nor does community 110112001009
    ],
)
def test_malformed_codes_are_refused_by_field(district: District, code: str) -> None:
    before = Area.objects.count()
    with pytest.raises(ValidationError) as info:
        services.create_area(SYSTEM, code, "x")
    assert "code" in info.value.message_dict
    assert Area.objects.count() == before


def test_code_must_extend_the_parent_by_three_digits(db: Any) -> None:
    services.create_area(SYSTEM, "110112", "区")
    services.create_area(SYSTEM, "110112001", "街道")
    area = Area(code="110112001001", name="x", level=Level.COMMUNITY, parent=Area.objects.get(code="110112"))
    with pytest.raises(ValidationError) as info:
        area.full_clean()
    assert "parent" in info.value.message_dict
    area = Area(code="110112001001", name="x", level=Level.GRID, parent=Area.objects.get(code="110112001"))
    with pytest.raises(ValidationError) as info:
        area.full_clean()
    assert "level" in info.value.message_dict
    district = Area(code="110113", name="x", level=Level.DISTRICT, parent=Area.objects.get(code="110112"))
    with pytest.raises(ValidationError) as info:
        district.full_clean()
    assert "parent" in info.value.message_dict


def test_only_a_community_has_a_community_kind(db: Any) -> None:
    services.create_area(SYSTEM, "110112", "区")
    with pytest.raises(ValidationError) as info:
        services.create_area(SYSTEM, "110112001", "街道", community_kind="estate")
    assert "community_kind" in info.value.message_dict
    assert not Area.objects.filter(code="110112001").exists()


def test_unknown_fields_are_refused(district: District) -> None:
    with pytest.raises(ValidationError) as info:
        services.update_area(SYSTEM, GRID_A1, level=1)
    assert "level" in info.value.message_dict


def test_messages_name_the_field_in_the_users_language(db: Any) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as info:
        services.create_area(SYSTEM, "1101", "x")
    assert info.value.message_dict["code"][0].startswith("An area code has 6")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        services.create_area(SYSTEM, "1101", "x")
    assert CJK.search(info.value.message_dict["code"][0])


def test_only_district_staff_change_the_tree(district: District) -> None:
    with pytest.raises(PermissionDenied):
        services.create_area(district.users["street_a"], STREET_A + "009", "新社区")
    with pytest.raises(PermissionDenied):
        services.update_area(district.users["centre_a"], GRID_A1, name="改名")
    with pytest.raises(PermissionDenied):
        services.update_area(district.users["admin"], GRID_A1, name="改名")
    area = services.create_area(district.users["district"], STREET_A + "009", "新社区", community_kind="self")
    assert area.parent.code == STREET_A and area.level == Level.COMMUNITY
    services.update_area(district.users["district"], GRID_A1, name="改名", target_households=250)
    entry = RecordHistory.objects.filter(
        object_type="areas.area", object_id=str(district.grids[GRID_A1].pk)
    ).first()
    assert entry.action == "update"
    assert entry.before == {"name": "第1网格", "target_households": 300}
    assert entry.after == {"name": "改名", "target_households": 250}
    assert entry.actor_label == "district"

"""The area tree in the back office: read within the subtree, written by district staff via the services."""

from __future__ import annotations

import datetime as dt
import json

from django.urls import reverse
from django.utils import translation

from gridwork.areas.models import Area, AreaBoundary
from gridwork.conftest import COMMUNITY_A, GRID_A1, GRID_B1, STREET_A, District, square
from gridwork.core.models import RecordHistory

CHANGELIST = reverse("admin:areas_area_changelist")
ADD = reverse("admin:areas_area_add")


def change_url(code: str) -> str:
    return reverse("admin:areas_area_change", args=[Area.objects.get(code=code).pk])


def test_areas_are_listed_within_the_subtree(district: District) -> None:
    response = district.client("centre_a").get(CHANGELIST)
    assert response.status_code == 200
    assert [a.code for a in response.context["cl"].result_list] == [COMMUNITY_A, GRID_A1, GRID_A1[:-1] + "2"]
    assert district.client("street_b").get(change_url(GRID_A1)).status_code == 404
    assert district.client("district").get(CHANGELIST).context["cl"].result_count == Area.objects.count()
    for who in ("admin", "auditor"):
        assert district.client(who).get(CHANGELIST).status_code == 403


def test_only_district_staff_add_or_change(district: District) -> None:
    centre = district.client("centre_a")
    assert centre.get(ADD).status_code == 403
    page = centre.get(change_url(GRID_A1))
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert centre.post(change_url(GRID_A1), {"name": "x"}).status_code == 403
    assert district.client("district").get(ADD).status_code == 200
    pk = Area.objects.get(code=GRID_A1).pk
    assert district.client("district").get(reverse("admin:areas_area_delete", args=[pk])).status_code == 403


def _area_form(**values: object) -> dict:
    form = {
        "code": "",
        "name": "",
        "community_kind": "",
        "target_households": "",
        "target_people": "",
        "duties": "",
    }
    form.update({k: str(v) for k, v in values.items()})
    return form


def test_add_through_the_service_and_refuse_a_bad_code(district: District) -> None:
    client = district.client("district")
    before = Area.objects.count()
    with translation.override("en"):
        response = client.post(
            ADD, _area_form(code="11011200100", name="坏代码"), headers={"accept-language": "en"}
        )
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert Area.objects.count() == before
    response = client.post(ADD, _area_form(code=STREET_A + "777", name="新社区", community_kind="estate"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    area = Area.objects.get(code=STREET_A + "777")
    assert (area.parent.code, area.level, area.community_kind) == (STREET_A, 3, "estate")
    assert RecordHistory.objects.filter(
        object_type="areas.area", object_id=str(area.pk), action="create"
    ).exists()
    # A community kind on a grid is refused on its field.
    response = client.post(ADD, _area_form(code=STREET_A + "777001", name="网格", community_kind="estate"))
    assert "community_kind" in response.context["adminform"].form.errors
    assert not Area.objects.filter(code=STREET_A + "777001").exists()


def test_change_through_the_service(district: District) -> None:
    response = district.client("district").post(
        change_url(GRID_A1), _area_form(name="新名字", target_households=280, rural="")
    )
    assert response.status_code == 302
    area = Area.objects.get(code=GRID_A1)
    assert (area.name, area.target_households, area.code) == ("新名字", 280, GRID_A1)
    entry = RecordHistory.objects.filter(object_id=str(area.pk), action="update").get()
    assert entry.after == {"name": "新名字", "target_households": 280, "target_people": None}


def test_boundary_versions_through_the_service(district: District) -> None:
    client = district.client("district")
    add = reverse("admin:areas_areaboundary_add")
    grid = Area.objects.get(code=GRID_B1)
    before = AreaBoundary.objects.count()
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    response = client.post(add, {"area": grid.pk, "geojson": json.dumps(bow_tie), "valid_from": "2025-01-01"})
    assert response.status_code == 200
    assert "geojson" in response.context["adminform"].form.errors
    assert AreaBoundary.objects.count() == before
    response = client.post(add, {"area": grid.pk, "geojson": "{not json", "valid_from": "2025-01-01"})
    assert "geojson" in response.context["adminform"].form.errors
    response = client.post(
        add, {"area": grid.pk, "geojson": json.dumps(square(116.70, 39.80, 0.02)), "valid_from": "2025-01-01"}
    )
    assert response.status_code == 302
    assert AreaBoundary.objects.filter(area=grid).current().get().valid_from == dt.date(2025, 1, 1)
    # Others may look but not draw; nobody edits or deletes a version.
    version = AreaBoundary.objects.filter(area=grid).current().get()
    assert district.client("centre_a").get(add).status_code == 403
    assert (
        district.client("centre_a")
        .get(reverse("admin:areas_areaboundary_change", args=[version.pk]))
        .status_code
        == 404
    )
    assert (
        district.client("street_b")
        .get(reverse("admin:areas_areaboundary_change", args=[version.pk]))
        .status_code
        == 200
    )
    assert client.post(reverse("admin:areas_areaboundary_change", args=[version.pk]), {}).status_code == 403
    assert client.get(reverse("admin:areas_areaboundary_delete", args=[version.pk])).status_code == 403

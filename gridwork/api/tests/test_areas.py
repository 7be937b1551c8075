"""Areas over the API: the scoping ladder, filters, counts, boundary versions."""

from __future__ import annotations

import datetime as dt

import pytest

from gridwork.api.tests.conftest import API, session_client
from gridwork.areas import services as areas
from gridwork.conftest import COMMUNITY_A, GRID_A1, GRID_A2, GRID_B1, STREET_A, District, square
from gridwork.core.system import SYSTEM

# user → expected status for an area-level endpoint on grid A1 (None is anonymous)
LADDER = [
    (None, 401),
    ("nobody", 404),
    ("worker_a2", 404),
    ("worker_b1", 404),
    ("worker_a1", 200),
    ("street_a", 200),
]


@pytest.mark.parametrize("suffix", ["", "/stats", "/boundary"])
def test_area_endpoints_ladder(district: District, suffix: str) -> None:
    for who, status in LADDER:
        response = session_client(district, who).get(f"{API}/areas/{GRID_A1}{suffix}")
        assert response.status_code == status, (who, suffix)


def test_area_list_ladder(district: District) -> None:
    assert session_client(district, None).get(f"{API}/areas").status_code == 401

    def codes(who: str) -> set[str]:
        response = session_client(district, who).get(f"{API}/areas")
        assert response.status_code == 200
        return {row["code"] for row in response.json()["items"]}

    assert codes("nobody") == set()
    assert codes("worker_a2") == {GRID_A2}
    assert codes("worker_a1") == {GRID_A1}
    assert codes("street_a") == {STREET_A, COMMUNITY_A, GRID_A1, GRID_A2}


def test_area_filters_and_shape(district: District) -> None:
    client = session_client(district, "district")
    rows = client.get(f"{API}/areas", {"parent": COMMUNITY_A}).json()["items"]
    assert [r["code"] for r in rows] == [GRID_A1, GRID_A2]
    assert rows[0]["parent"] == COMMUNITY_A and rows[0]["level"] == 4
    grids = client.get(f"{API}/areas", {"level": 4}).json()
    assert grids["count"] == 4
    assert client.get(f"{API}/areas", {"level": 9}).status_code == 422
    top = client.get(f"{API}/areas/110112").json()
    assert top["parent"] is None and top["level"] == 1


def test_area_stats_counts(district: District) -> None:
    body = session_client(district, "street_a").get(f"{API}/areas/{STREET_A}/stats").json()
    assert body["households"] == 2 and body["people"] == 2 and body["party_members"] == 2
    groups = {g["code"]: g["count"] for g in body["groups"]}
    assert groups["elderly_alone"] == 1 and groups["veteran"] == 0


def test_area_stats_need_register_reading(district: District) -> None:
    # A department handler sees the area tree, not the register counted in it.
    client = session_client(district, "department")
    assert client.get(f"{API}/areas/{GRID_A1}").status_code == 200
    assert client.get(f"{API}/areas/{GRID_A1}/stats").status_code == 403


def test_boundary_versions(district: District) -> None:
    areas.set_boundary(SYSTEM, GRID_A1, square(116.60, 39.90, 0.02), valid_from=dt.date(2025, 1, 1))
    client = session_client(district, "worker_a1")
    current = client.get(f"{API}/areas/{GRID_A1}/boundary").json()
    assert current["type"] == "Feature"
    assert current["geometry"]["coordinates"][0][1] == pytest.approx([116.62, 39.90])
    assert current["properties"] == {
        "code": GRID_A1,
        "name": district.grids[GRID_A1].name,
        "valid_from": "2025-01-01",
        "valid_to": None,
    }
    old = client.get(f"{API}/areas/{GRID_A1}/boundary", {"on": "2024-06-01"}).json()
    assert old["geometry"]["coordinates"][0][1] == pytest.approx([116.61, 39.90])
    assert old["properties"]["valid_to"] == "2025-01-01"
    assert client.get(f"{API}/areas/{GRID_A1}/boundary", {"on": "2023-06-01"}).status_code == 404
    bad = client.get(
        f"{API}/areas/{GRID_A1}/boundary", {"on": "2024-13-01"}, headers={"Accept-Language": "en"}
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "on"


def test_unknown_and_out_of_scope_areas_answer_alike(district: District) -> None:
    client = session_client(district, "worker_a1")
    unknown = client.get(f"{API}/areas/110112999999999")
    hidden = client.get(f"{API}/areas/{GRID_B1}")
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.content == hidden.content

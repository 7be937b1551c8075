"""Register reads over the API: the scoping ladder on every endpoint, masking, filters, paging."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gridwork.api.tests.conftest import API, session_client, token_client
from gridwork.conftest import GRID_A1, GRID_A2, GRID_B2, District, make_id
from gridwork.core.system import SYSTEM
from gridwork.registry import services as registry
from gridwork.registry.models import Person

# endpoint → how to find the grid-A1 record of the district fixture
DETAIL: dict[str, Any] = {
    "buildings": lambda d: d.buildings[GRID_A1].pk,
    "houses": lambda d: d.houses[GRID_A1].pk,
    "households": lambda d: d.households[GRID_A1].pk,
    "persons": lambda d: d.people[GRID_A1].pk,
    "organizations": lambda d: d.orgs[GRID_A1].pk,
    "objects": lambda d: d.objects[GRID_A1].pk,
}

# user → expected status for a record of grid A1 (None is anonymous)
DETAIL_LADDER = [
    (None, 401),
    ("nobody", 404),
    ("admin", 404),  # a system administrator reads no personal data
    ("worker_a2", 404),  # another grid of the same community
    ("worker_b1", 404),  # a grid of another street
    ("street_b", 404),
    ("worker_a1", 200),
    ("member_a1", 200),
    ("street_a", 200),
]

# user → the grids whose records a list shows
LIST_LADDER = [
    ("nobody", set()),
    ("admin", set()),
    ("worker_a2", {GRID_A2}),
    ("worker_a1", {GRID_A1}),
    ("street_a", {GRID_A1, GRID_A2}),
]


@pytest.mark.parametrize("endpoint", sorted(DETAIL))
def test_detail_ladder(district: District, endpoint: str) -> None:
    url = f"{API}/{endpoint}/{DETAIL[endpoint](district)}"
    for who, status in DETAIL_LADDER:
        response = session_client(district, who).get(url)
        assert response.status_code == status, (who, endpoint)
        if status == 200:
            assert response.json()["grid"] == GRID_A1


@pytest.mark.parametrize("endpoint", sorted(DETAIL))
def test_detail_by_token(district: District, endpoint: str) -> None:
    url = f"{API}/{endpoint}/{DETAIL[endpoint](district)}"
    assert token_client(district.users["worker_a1"]).get(url).status_code == 200
    assert token_client(district.users["worker_b1"]).get(url).status_code == 404


@pytest.mark.parametrize("endpoint", sorted(DETAIL))
def test_list_ladder(district: District, endpoint: str) -> None:
    assert session_client(district, None).get(f"{API}/{endpoint}").status_code == 401
    for who, grids in LIST_LADDER:
        response = session_client(district, who).get(f"{API}/{endpoint}")
        assert response.status_code == 200, (who, endpoint)
        body = response.json()
        assert {row["grid"] for row in body["items"]} == grids, (who, endpoint)
        assert body["count"] == len(body["items"])


@pytest.mark.parametrize("endpoint", sorted(DETAIL))
def test_missing_and_hidden_records_answer_alike(district: District, endpoint: str) -> None:
    client = session_client(district, "worker_b1")
    hidden = client.get(f"{API}/{endpoint}/{DETAIL[endpoint](district)}")
    missing = client.get(f"{API}/{endpoint}/987654321")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_key_groups_ladder(district: District) -> None:
    assert session_client(district, None).get(f"{API}/key-groups").status_code == 401
    assert session_client(district, "nobody").get(f"{API}/key-groups").json() == []
    assert session_client(district, "admin").get(f"{API}/key-groups").json() == []
    # A code list, the same for every reader of the register wherever they work.
    for who in ("worker_b1", "worker_a1", "street_a"):
        codes = [g["code"] for g in session_client(district, who).get(f"{API}/key-groups").json()]
        assert "elderly_alone" in codes and "community_correction" in codes


def test_person_is_masked(district: District) -> None:
    person = district.people[GRID_A1]
    for url in (f"{API}/persons/{person.pk}", f"{API}/persons", f"{API}/households/{person.household_id}"):
        response = session_client(district, "worker_a1").get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert person.id_number not in text and person.phone not in text, url
        assert person.id_number_masked in text and person.phone_masked in text, url
        # Neither the birth date nor anything that rebuilds the ID number from the mask.
        assert person.birth_date.strftime("%Y%m%d") not in text, url
        assert person.birth_date.isoformat() not in text, url
    body = session_client(district, "worker_a1").get(f"{API}/persons/{person.pk}").json()
    assert body["id_number_masked"] == person.id_number[0] + "*" * 13 + person.id_number[-4:]
    assert body["phone_masked"] == person.phone[:3] + "****" + person.phone[-4:]
    assert body["birth_year"] == person.birth_date.year and body["age"] > 0 and "birth_date" not in body
    assert "id_number" not in body and "phone" not in body


def test_sensitive_tags_are_omitted(district: District) -> None:
    person = district.people[GRID_A1]
    body = session_client(district, "street_a").get(f"{API}/persons/{person.pk}").json()
    assert [t["group"] for t in body["tags"]] == ["elderly_alone"]
    listed = session_client(district, "street_a").get(f"{API}/persons").json()["items"]
    assert "community_correction" not in str(listed)


def test_household_members(district: District) -> None:
    household = district.households[GRID_A1]
    body = session_client(district, "worker_a1").get(f"{API}/households/{household.pk}").json()
    assert body["head_name"] == district.people[GRID_A1].name
    assert [m["id"] for m in body["members"]] == [district.people[GRID_A1].pk]


def test_person_filters(district: District) -> None:
    client = session_client(district, "district")

    def ids(**params: str) -> set[int]:
        response = client.get(f"{API}/persons", params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["items"]}

    people = district.people
    assert ids(area="110112001") == {people[GRID_A1].pk, people[GRID_A2].pk}
    assert ids(q="测试2") == {people[GRID_A2].pk, people[GRID_B2].pk}  # the fixture's names repeat per street
    assert ids(q="无此人") == set()
    assert ids(tag="elderly_alone") == {people[GRID_A1].pk}
    assert ids(tag="no_such_group") == set()
    assert ids(status="moved_out") == set()
    assert len(ids(status="living")) == 4
    # Listing by a sensitive group would disclose it without a reason or an audit entry.
    assert client.get(f"{API}/persons", {"tag": "community_correction"}).status_code == 403


def test_list_filters_by_area_and_building(district: District) -> None:
    client = session_client(district, "district")
    assert {r["grid"] for r in client.get(f"{API}/buildings", {"area": GRID_A2}).json()["items"]} == {GRID_A2}
    houses = client.get(f"{API}/houses", {"building": district.buildings[GRID_A1].pk}).json()["items"]
    assert [h["id"] for h in houses] == [district.houses[GRID_A1].pk]
    # Another grid's building id gives nothing, not its houses.
    worker = session_client(district, "worker_a1")
    assert worker.get(f"{API}/houses", {"building": district.buildings[GRID_A2].pk}).json()["count"] == 0


def test_pagination_is_capped(district: District, settings: Any) -> None:
    client = session_client(district, "district")
    page = client.get(f"{API}/persons", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 4 and len(page["items"]) == 2
    settings.API_PAGE_SIZE_MAX = 3
    page = client.get(f"{API}/persons", {"limit": 1000}).json()
    assert page["count"] == 4 and len(page["items"]) == 3
    assert client.get(f"{API}/persons", {"limit": 0}).status_code == 422


def test_person_list_query_count_is_bounded(district: District, django_assert_max_num_queries: Any) -> None:
    household = district.households[GRID_A1]
    for serial in range(20, 32):
        registry.save_record(
            SYSTEM,
            Person,
            {
                "household": household.pk,
                "relation": "child",
                "name": f"成员{serial}",
                "id_number": make_id(dt.date(1990, 1, serial - 10), serial, "F"),
            },
        )
    client = token_client(district.users["street_a"])
    # token lookup, token touch, roles, count, people, their tags
    with django_assert_max_num_queries(9):  # 7, and the session's second-factor device and roles
        body = client.get(f"{API}/persons", {"limit": 10}).json()
    assert body["count"] == 14 and len(body["items"]) == 10

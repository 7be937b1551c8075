"""Numbers and bodies at the edges: 422 (API) or 404 / a page (web), never a 500, on either database.

An offset of 2^63, a 20-digit id or a huge page number overflowed SQLite's INTEGER (OverflowError,
"datatype mismatch") and PostgreSQL's bigint; a body that is not a JSON object was read as an
empty PATCH and answered 200.
"""

from __future__ import annotations

import pytest
from django.test import Client

from gridwork.api.tests.conftest import API, session_client
from gridwork.conftest import GRID_A1, District
from gridwork.core.bounds import MAX_ID, parse_id
from gridwork.registry.models import Person

HUGE = "99999999999999999999"  # 20 digits
OVER = str(2**63)

LISTS = ["persons", "households", "buildings", "houses", "organizations", "objects", "cases", "inbox"]


def _client(district: District, who: str = "street_a") -> Client:
    client = session_client(district, who, **{"Accept-Language": "en"})
    client.raise_request_exception = False  # a 500 is an answer here, not an exception
    return client


@pytest.mark.parametrize("endpoint", LISTS)
@pytest.mark.parametrize(
    "query", [f"offset={OVER}", f"offset={HUGE}", "offset=-1", f"limit={HUGE}", "limit=0"]
)
def test_list_paging_out_of_bounds_answers_422(district: District, endpoint: str, query: str) -> None:
    response = _client(district).get(f"{API}/{endpoint}?{query}")
    assert response.status_code == 422, (endpoint, query, response.content)
    assert response.json()["detail"][0]["field"] in {"offset", "limit"}


def test_a_large_offset_in_bounds_is_an_empty_page(district: District) -> None:
    response = _client(district).get(f"{API}/persons?offset=1000000000")
    assert response.status_code == 200 and response.json()["items"] == []


ONE = ["persons", "households", "buildings", "houses", "organizations", "objects", "cases", "imports"]


@pytest.mark.parametrize("endpoint", ONE)
@pytest.mark.parametrize("key", [HUGE, OVER, "0", "-1"])
def test_path_ids_out_of_bounds_answer_422(district: District, endpoint: str, key: str) -> None:
    response = _client(district).get(f"{API}/{endpoint}/{key}")
    assert response.status_code == 422, (endpoint, key, response.content)


def test_the_largest_id_is_simply_not_found(district: District) -> None:
    assert _client(district).get(f"{API}/persons/{MAX_ID}").status_code == 404


def test_query_ids_out_of_bounds_answer_422(district: District) -> None:
    client = _client(district)
    assert client.get(f"{API}/houses?building={HUGE}").status_code == 422
    assert client.get(f"{API}/indicators?user={HUGE}").status_code == 422
    # A day before 1900 had a local offset of seconds (+08:05:43) no date-time can carry.
    assert client.get(f"{API}/indicators?from=0546-07-30").status_code == 422


@pytest.mark.parametrize("body", ["[null,null]", "null", "5", '"text"', "[]", "true"])
@pytest.mark.parametrize("method", ["PATCH", "POST"])
def test_a_body_that_is_not_an_object_answers_422(district: District, body: str, method: str) -> None:
    person = district.people[GRID_A1]
    url = f"{API}/persons/{person.pk}" if method == "PATCH" else f"{API}/persons"
    response = _client(district, "worker_a1").generic(method, url, body, content_type="application/json")
    assert response.status_code == 422, (method, body, response.content)
    assert response.json()["detail"] == [
        {"field": "__all__", "message": "The request body must be a JSON object."}
    ]


@pytest.mark.parametrize("field", ["name", "phone", "status", "id_number", "notes", "work"])
def test_null_where_it_means_nothing_answers_422(district: District, field: str) -> None:
    person = district.people[GRID_A1]
    before = Person.objects.filter(pk=person.pk).values().get()
    response = _client(district, "worker_a1").patch(
        f"{API}/persons/{person.pk}", {field: None}, content_type="application/json"
    )
    assert response.status_code == 422, (field, response.content)
    assert Person.objects.filter(pk=person.pk).values().get() == before


def test_null_still_clears_what_may_be_empty(district: District) -> None:
    person = district.people[GRID_A1]
    response = _client(district, "worker_a1").patch(
        f"{API}/persons/{person.pk}", {"household": None}, content_type="application/json"
    )
    assert response.status_code == 200, response.content


def test_body_ids_and_counts_out_of_bounds_answer_422(district: District) -> None:
    client = _client(district, "worker_a1")
    person = district.people[GRID_A1]
    patch = client.patch(
        f"{API}/persons/{person.pk}", {"household": int(HUGE)}, content_type="application/json"
    )
    assert patch.status_code == 422
    building = {"code": "BX", "number": "1", "address": "路", "lon": 116.6, "lat": 39.9, "floors": 10**6}
    assert client.post(f"{API}/buildings", building, content_type="application/json").status_code == 422
    building["floors"], building["lat"] = 6, 1e300
    assert client.post(f"{API}/buildings", building, content_type="application/json").status_code == 422


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/people/{HUGE}/",
        f"/households/{HUGE}/",
        f"/buildings/{HUGE}/",
        f"/cases/{HUGE}/",
        f"/cases/{OVER}/photos/{HUGE}/",
        f"/imports/{HUGE}/",
        f"/open311/v2/requests/{HUGE}.json",
        "/open311/v2/requests/²3.json",
    ],
)
def test_page_ids_out_of_bounds_are_not_found(district: District, path: str) -> None:
    assert _client(district, "worker_a1").get(path).status_code == 404


@pytest.mark.parametrize("page", [HUGE, OVER, "-5", "abc", "1e9", "²"])
@pytest.mark.parametrize("path", [f"/areas/{GRID_A1}/people/", "/cases/?tab=area", "/inbox/"])
def test_page_numbers_out_of_bounds_give_a_page(district: District, path: str, page: str) -> None:
    separator = "&" if "?" in path else "?"
    assert _client(district).get(f"{path}{separator}page={page}").status_code == 200


def test_query_ids_on_pages_and_open311(district: District) -> None:
    client = _client(district, "worker_a1")
    assert client.get(f"/cases/new/?building={HUGE}").status_code == 200
    assert client.get("/cases/new/?building=²").status_code == 200
    anonymous = Client(raise_request_exception=False)
    # Not an id a table can hold: the spec's answer to a malformed list.
    for ids in (HUGE, "²", f"1,{OVER}"):
        assert anonymous.get(f"/open311/v2/requests.json?service_request_id={ids}").status_code == 400


def test_parse_id() -> None:
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7
    for raw in (None, "", "0", "-1", HUGE, OVER, "²", "١٢", "1.5", "0x10"):
        assert parse_id(raw) is None, raw
    assert parse_id(str(MAX_ID)) == MAX_ID

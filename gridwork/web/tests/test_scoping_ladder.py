"""The scoping ladder for every page that shows register data: anonymous, no role, a worker of
another grid, the worker of the right grid, and the street above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from gridwork.conftest import GRID_A1, District
from gridwork.web.tests.helpers import assert_login_redirect, html


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[District], str]
    shows: Callable[[District], list[str]]


def _person_shows(d: District) -> list[str]:
    person = d.people[GRID_A1]
    return [person.name, person.id_number_masked, person.phone_masked]


PAGES = [
    Page(
        "grid",
        lambda d: f"/areas/{GRID_A1}/",
        lambda d: [d.grids[GRID_A1].name, str(d.buildings[GRID_A1])],
    ),
    Page(
        "people",
        lambda d: f"/areas/{GRID_A1}/people/",
        _person_shows,
    ),
    Page(
        "organisations",
        lambda d: f"/areas/{GRID_A1}/organisations/",
        lambda d: [d.orgs[GRID_A1].name, d.orgs[GRID_A1].contact_phone_masked],
    ),
    Page("objects", lambda d: f"/areas/{GRID_A1}/objects/", lambda d: [d.objects[GRID_A1].code]),
    Page(
        "building",
        lambda d: f"/buildings/{d.buildings[GRID_A1].pk}/",
        lambda d: [d.households[GRID_A1].number, d.people[GRID_A1].name, d.orgs[GRID_A1].name],
    ),
    Page(
        "household",
        lambda d: f"/households/{d.households[GRID_A1].pk}/",
        _person_shows,
    ),
    Page(
        "person",
        lambda d: f"/people/{d.people[GRID_A1].pk}/",
        _person_shows,
    ),
]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_ladder(district: District, page: Page) -> None:
    url = page.url(district)
    person = district.people[GRID_A1]

    assert_login_redirect(district.client(None).get(url))
    assert district.client("nobody").get(url).status_code == 403
    assert district.client("worker_b1").get(url).status_code == 404
    for who in ("worker_a1", "street_a"):
        response = district.client(who).get(url)
        assert response.status_code == 200, who
        body = html(response)
        for text in page.shows(district):
            assert text in body, (who, text)
        # Masked everywhere by default: neither the full ID number, nor the birth date in it, nor the phone.
        assert person.id_number not in body
        assert person.id_number[6:14] not in body
        assert person.birth_date.isoformat() not in body
        assert person.phone not in body


def test_other_grid_objects_answer_404_like_missing_ones(district: District) -> None:
    client = district.client("worker_a1")
    missing_urls = ("/buildings/999999/", "/households/999999/", "/people/999999/", "/areas/110112999999999/")
    for missing in missing_urls:
        assert client.get(missing).status_code == 404
    other = "110112001001002"
    for url in (
        f"/areas/{other}/",
        f"/areas/{other}/people/",
        f"/buildings/{district.buildings[other].pk}/",
        f"/households/{district.households[other].pk}/",
        f"/people/{district.people[other].pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_area_above_the_scope_is_closed_but_named_in_the_breadcrumb(district: District) -> None:
    client = district.client("worker_a1")
    assert client.get("/areas/110112001/").status_code == 404
    body = html(client.get(f"/areas/{GRID_A1}/"))
    assert "中仓街道" in body and "示例社区" in body
    assert 'href="/areas/110112001/"' not in body


def test_street_sees_its_communities_and_counts(district: District) -> None:
    response = district.client("street_a").get("/areas/110112001/")
    assert response.status_code == 200
    body = html(response)
    assert 'href="/areas/110112001001/"' in body
    assert "110112104" not in body  # the other street is not listed
    assert response.context["counts"]["people"] == 2
    assert response.context["children"][0]["households"] == 2


def test_district_sees_both_streets(district: District) -> None:
    response = district.client("district").get("/areas/110112/")
    assert response.status_code == 200
    assert [row["code"] for row in response.context["children"]] == ["110112001", "110112104"]
    assert response.context["counts"]["people"] == 4


def test_department_browses_areas_without_register_data(district: District) -> None:
    client = district.client("department")
    response = client.get("/areas/110112001/")
    assert response.status_code == 200
    assert response.context["counts"] is None
    assert client.get(f"/areas/{GRID_A1}/people/").status_code == 403
    assert client.get(f"/people/{district.people[GRID_A1].pk}/").status_code == 403


def test_sysadmin_and_auditor_read_no_register_pages(district: District) -> None:
    for who in ("admin", "auditor"):
        client = district.client(who)
        assert client.get(f"/areas/{GRID_A1}/").status_code == 403
        assert client.get(f"/people/{district.people[GRID_A1].pk}/").status_code == 403


def test_people_search_by_name(district: District) -> None:
    client = district.client("street_a")
    url = "/areas/110112001/people/"
    found = client.get(url, {"q": "测试1"})
    assert found.context["page"].paginator.count == 1
    assert district.people[GRID_A1].name in html(found)
    assert client.get(url, {"q": "无此人"}).context["page"].paginator.count == 0
    # The beginning of a name: a surname finds everyone by it, the middle of a name finds no one.
    assert client.get(url, {"q": "试1"}).context["page"].paginator.count == 0
    # The search box swaps only the results when HTMX asks.
    partial = client.get(url, {"q": "测试"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert html(partial).lstrip().startswith('<div id="people-results">')
    assert partial.context["page"].paginator.count == 2


def test_people_list_is_paginated(district: District, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gridwork.web.pagination.PAGE_SIZE", 3)
    client = district.client("district")
    first = client.get("/areas/110112/people/")
    assert len(first.context["page"].object_list) == 3
    assert first.context["page"].paginator.num_pages == 2
    assert "page=2" in html(first)
    second = client.get("/areas/110112/people/", {"page": 2})
    assert len(second.context["page"].object_list) == 1
    assert client.get("/areas/110112/people/", {"page": "junk"}).status_code == 200


def test_lists_hold_only_records_in_scope(district: District) -> None:
    client = district.client("street_a")
    orgs = client.get("/areas/110112001/organisations/").context["page"]
    assert {o.pk for o in orgs} == {district.orgs[GRID_A1].pk, district.orgs["110112001001002"].pk}
    objects = client.get("/areas/110112001/objects/").context["page"]
    assert {o.grid_id for o in objects} == {GRID_A1, "110112001001002"}
    assert client.get("/areas/110112104/objects/").status_code == 404


def test_malformed_area_code_is_not_found(district: District) -> None:
    client = district.client("district")
    for url in ("/areas/abc/", "/areas/1101120/", "/areas/110112001001001001/"):
        assert client.get(url).status_code == 404, url

"""The home page per role."""

from __future__ import annotations

from gridwork.conftest import GRID_A1, District
from gridwork.web.tests.helpers import assert_login_redirect, html


def test_anonymous_goes_to_login(district: District) -> None:
    assert_login_redirect(district.client(None).get("/"))


def test_user_without_role_sees_a_polite_page(district: District) -> None:
    response = district.client("nobody").get("/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "web/no_role.html"


def test_worker_sees_the_grid_with_its_counts(district: District) -> None:
    response = district.client("worker_a1").get("/")
    assert response.status_code == 200
    [card] = response.context["cards"]
    assert card["area"].code == GRID_A1
    counts = card["counts"]
    assert (counts["households"], counts["people"], counts["party_members"]) == (1, 1, 1)
    groups = {row["code"]: row["count"] for row in counts["groups"]}
    assert groups["elderly_alone"] == 1 and groups["community_correction"] == 1 and groups["veteran"] == 0
    body = html(response)
    assert district.grids[GRID_A1].name in body
    assert f'href="/areas/{GRID_A1}/people/"' in body
    # Counts only: nobody's name on the home page.
    assert district.people[GRID_A1].name not in body


def test_street_sees_its_street(district: District) -> None:
    response = district.client("street_a").get("/")
    [card] = response.context["cards"]
    assert card["area"].code == "110112001"
    assert card["counts"]["people"] == 2


def test_department_sees_its_area_without_counts(district: District) -> None:
    [card] = district.client("department").get("/").context["cards"]
    assert card["area"].code == "110112001" and card["counts"] is None


def test_sysadmin_gets_account_admin_and_no_personal_data(district: District) -> None:
    response = district.client("admin").get("/")
    assert response.status_code == 200
    assert response.context["cards"] == []
    body = html(response)
    assert 'href="/admin/"' in body
    assert 'href="/audit/"' not in body
    for person in district.people.values():
        assert person.name not in body


def test_auditor_gets_the_audit_log_link(district: District) -> None:
    response = district.client("auditor").get("/")
    assert response.context["cards"] == []
    body = html(response)
    assert 'href="/audit/"' in body
    assert 'href="/admin/"' not in body

"""Who may see and do what over the cases API: the access ladder for every endpoint, illegal
transitions (409), stale versions (409), bad input (422), and the reporter's contact kept masked."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.cases.tests.api_helpers import API, api_act, api_report, client, upload
from gridwork.cases.tests.helpers import do, report
from gridwork.conftest import GRID_A1, GRID_B1

# (who, expected status) from anonymous up the street; "other" is the other street's grid worker.
DETAIL_LADDER = [
    (None, 401),
    ("nobody", 404),
    ("worker_b1", 404),
    ("street_b", 404),
    ("department", 404),  # nothing dispatched to the department yet
    ("worker_a2", 404),  # the neighbouring grid
    ("worker_a1", 200),
    ("centre_a", 200),
    ("street_a", 200),
    ("district", 200),
]


@pytest.mark.parametrize(("who", "expected"), DETAIL_LADDER)
def test_one_case_ladder(cd: Any, who: str | None, expected: int) -> None:
    case = report(cd)
    assert client(cd, who).get(f"{API}/cases/{case.pk}").status_code == expected
    assert client(cd, who).get(f"{API}/cases/{case.pk}/timeline").status_code == expected
    assert client(cd, who).get(f"{API}/cases/{case.pk}/duplicates").status_code == expected


def test_nonexistent_case_answers_like_one_out_of_scope(cd: Any) -> None:
    case = report(cd)
    missing = client(cd, "worker_b1").get(f"{API}/cases/{case.pk}")
    absent = client(cd, "worker_b1").get(f"{API}/cases/{case.pk + 1000}")
    assert missing.status_code == absent.status_code == 404
    assert missing.json() == absent.json()


def test_department_sees_only_what_was_dispatched_to_it(cd: Any) -> None:
    case = report(cd)
    other = report(cd)
    assert client(cd, "department").get(f"{API}/cases").json()["items"] == []
    do(cd, "centre_a", case, "accept")
    do(cd, "centre_a", case, "dispatch")
    listed = client(cd, "department").get(f"{API}/cases").json()
    assert [c["id"] for c in listed["items"]] == [case.pk] and other.pk != case.pk
    assert client(cd, "department").get(f"{API}/cases/{case.pk}").json()["allowed_actions"] == [
        "handle",
        "return",
        "escalate",
        "extend",
    ]
    # Another department of the same street does not see it.
    assert client(cd, "dept_other").get(f"{API}/cases/{case.pk}").status_code == 404
    assert api_act(cd, "dept_other", case.pk, "handle").status_code == 404
    assert api_act(cd, "department", case.pk, "handle").status_code == 200
    # Handled: still visible to the department that worked on it, but no longer its to act on.
    body = client(cd, "department").get(f"{API}/cases/{case.pk}").json()
    assert body["status"] == "handled" and body["allowed_actions"] == []


def test_list_ladder_and_queues(cd: Any) -> None:
    a1 = report(cd)
    b1 = report(cd, "worker_b1", grid=GRID_B1)
    assert client(cd, None).get(f"{API}/cases").status_code == 401

    def ids(who: str, query: str = "") -> list[int]:
        response = client(cd, who).get(f"{API}/cases{query}")
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["items"]]

    assert ids("nobody") == []
    assert ids("worker_b1") == [b1.pk]
    assert ids("worker_a1") == [a1.pk]
    assert ids("street_a") == [a1.pk]
    assert sorted(ids("district")) == sorted([a1.pk, b1.pk])
    # mine: held by me, my area's staff or my department
    assert ids("centre_a", "?queue=mine") == [a1.pk]
    assert ids("worker_a1", "?queue=mine") == []  # held by the community's acceptance centre
    assert ids("district", "?queue=mine") == []
    assert ids("district", f"?area={GRID_B1}") == [b1.pk]
    assert ids("district", "?category=E01&status=submitted&queue=area") != []
    assert ids("district", "?category=S") == []
    assert ids("district", "?queue=overdue") == []
    a1.step_deadline = a1.created_at
    a1.save(update_fields=["step_deadline"])
    assert ids("centre_a", "?queue=overdue") == [a1.pk]
    colour = client(cd, "centre_a").get(f"{API}/cases?queue=overdue").json()["items"][0]["time_status"]
    assert colour == "red"
    assert client(cd, "district").get(f"{API}/cases?queue=nonsense").status_code == 422
    assert client(cd, "district").get(f"{API}/cases?status=nonsense").status_code == 422
    page = client(cd, "district").get(f"{API}/cases?limit=1").json()
    assert len(page["items"]) == 1 and page["count"] == 2


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, 401),
        ("nobody", 404),
        ("worker_b1", 404),
        ("worker_a2", 404),
        ("centre_a", 200),
        ("street_a", 200),
    ],
)
def test_action_ladder(cd: Any, who: str | None, expected: int) -> None:
    case = report(cd)
    assert api_act(cd, who, case.pk, "accept").status_code == expected


def test_visible_but_not_allowed_is_403(cd: Any) -> None:
    case = report(cd)
    response = api_act(cd, "worker_a1", case.pk, "accept")
    assert response.status_code == 403 and response.json()["detail"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 401), ("nobody", 403), ("worker_b1", 403), ("worker_a1", 201), ("street_a", 201)],
)
def test_report_ladder(cd: Any, who: str | None, expected: int) -> None:
    # Staff report where they work; others only as residents (the public endpoint) or Open311.
    assert api_report(cd, who).status_code == expected


# A sample across the table: (how to get there, the action that is not possible there).
ILLEGAL = [
    ([], "handle"),
    ([], "verify_pass"),
    ([], "publish"),
    (["accept"], "feedback"),
    (["accept"], "resolve"),
    (["accept"], "review_pass"),
    (["accept", "dispatch"], "dispatch"),
    (["accept", "dispatch"], "approve"),
    (["accept", "dispatch"], "reopen"),
    (["accept", "dispatch", "handle"], "handle"),
    (["accept", "reject"], "accept"),
    (["accept", "reject"], "resume"),
    (["accept", "suspend"], "dispatch"),
    (["accept", "suspend"], "extend"),
]
ACTOR = {"handle": "department", "verify_pass": "worker_a1", "verify_fail": "worker_a1"}


@pytest.mark.parametrize(("path", "action"), ILLEGAL)
def test_illegal_transitions_answer_409_naming_status_and_action(
    cd: Any, path: list[str], action: str
) -> None:
    case = report(cd)
    for earlier in path:
        case = do(cd, ACTOR.get(earlier, "centre_a"), case, earlier)
    before = case.version
    response = api_act(cd, "district", case.pk, action, note="试")
    assert response.status_code == 409, response.content
    detail = response.json()["detail"]
    assert "“" in detail and case.get_status_display() in detail
    case.refresh_from_db()
    assert case.version == before and case.events.count() == len(path) + 1


def test_illegal_transitions_on_other_tracks(cd: Any) -> None:
    routine = report(cd, category="E0101")
    emergency = report(cd, category="E0401")
    approval = report(cd, "centre_a", category="S0201", source="visit")
    assert api_act(cd, "district", routine.pk, "dispatch").status_code == 409
    assert api_act(cd, "district", emergency.pk, "accept").status_code == 409
    do(cd, "centre_a", approval, "accept")
    assert api_act(cd, "district", approval.pk, "dispatch").status_code == 409  # approval is not dispatched
    assert api_act(cd, "district", approval.pk, "approve").status_code == 409  # not reviewed yet


def test_stale_version_is_a_conflict(cd: Any) -> None:
    case = report(cd)
    response = api_act(cd, "centre_a", case.pk, "accept", expected_version=case.version + 1)
    assert response.status_code == 409 and response.json()["detail"]
    assert api_act(cd, "centre_a", case.pk, "accept", expected_version=case.version).status_code == 200


def test_bad_input_answers_422_with_fields(cd: Any) -> None:
    case = report(cd)
    unknown = api_act(cd, "centre_a", case.pk, "fly")
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "action"
    no_reason = client(cd, "centre_a").post(f"{API}/cases/{case.pk}/actions/reject", {})
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["field"] == "note"
    wrong_param = api_act(cd, "centre_a", case.pk, "accept", department="x")
    assert wrong_param.status_code == 422 and wrong_param.json()["detail"][0]["field"] == "department"
    bad_category = api_report(cd, "worker_a1", category="ZZ99")
    assert bad_category.status_code == 422
    assert {e["field"] for e in bad_category.json()["detail"]} == {"category"}
    outside = client(cd, "worker_a1").post(
        f"{API}/cases", {"category": "E0104", "title": "x", "lon": 100.0, "lat": 30.0}
    )
    assert outside.status_code == 422 and outside.json()["detail"][0]["field"] == "location"
    not_image = api_report(cd, "worker_a1", photos=[upload("x.jpg", b"MZ" + b"\x00" * 40)])
    assert not_image.status_code == 422 and not_image.json()["detail"][0]["field"] == "photos"
    assert case.events.count() == 1


def test_reporter_contact_is_masked(cd: Any) -> None:
    created = api_report(cd, "worker_a1", reporter_name="王小五", reporter_phone="13912345678")
    body = created.json()
    assert (body["reporter_name_masked"], body["reporter_phone_masked"]) == ("王**", "139****5678")
    for who in ("worker_a1", "centre_a", "district"):
        content = client(cd, who).get(f"{API}/cases/{body['id']}").content.decode()
        assert "13912345678" not in content and "王小五" not in content
    listed = client(cd, "district").get(f"{API}/cases").content.decode()
    assert "13912345678" not in listed and "王小五" not in listed


def test_possible_duplicates_are_scoped(cd: Any) -> None:
    first = report(cd)
    second = report(cd)
    found = client(cd, "worker_a1").get(f"{API}/cases/{second.pk}/duplicates").json()
    assert [c["id"] for c in found] == [first.pk]
    near = client(cd, "worker_a1").get(
        f"{API}/cases/possible-duplicates?category=E0104&lon={second.lon}&lat={second.lat}"
    )
    assert sorted(c["id"] for c in near.json()) == sorted([first.pk, second.pk])
    # The same point seen by a worker of another street: nothing of theirs to show.
    other = client(cd, "worker_b1").get(
        f"{API}/cases/possible-duplicates?category=E0104&lon={second.lon}&lat={second.lat}"
    )
    assert other.status_code == 200 and other.json() == []
    assert (
        client(cd, None).get(f"{API}/cases/possible-duplicates?category=E0104&lon=1&lat=1").status_code == 401
    )


def test_category_tree(cd: Any) -> None:
    assert client(cd, None).get(f"{API}/categories").status_code == 401
    tree = client(cd, "nobody").get(f"{API}/categories").json()
    roots = {node["code"]: node for node in tree}
    assert {"E", "C", "S"} <= {code[:1] for code in roots}

    def leaves(nodes: list[dict]) -> set[str]:
        found: set[str] = set()
        for node in nodes:
            found |= leaves(node["children"]) if node["children"] else {node["code"]}
        return found

    assert {"E0101", "E0104", "E0401", "S0201"} <= leaves(tree)


def test_indicators_ladder(cd: Any) -> None:
    case = report(cd)
    do(cd, "worker_a1", report(cd, category="E0101"), "resolve")
    url = f"{API}/indicators"
    assert client(cd, None).get(url).status_code == 401
    assert client(cd, "nobody").get(url).status_code == 403
    assert client(cd, "worker_b1").get(f"{url}?area={GRID_A1}").status_code == 404
    mine = client(cd, "worker_a1").get(url).json()
    assert (mine["area"], mine["cases"], mine["closed"]) == (GRID_A1, 2, 1)
    assert mine["closure_rate"] == 0.5
    street = client(cd, "street_a").get(f"{url}?area={GRID_A1}&from=2000-01-01").json()
    assert street["cases"] == 2
    assert client(cd, "district").get(url).json()["cases"] == 2
    assert client(cd, "worker_b1").get(url).json()["cases"] == 0
    # A department handler: its own department only.
    dept = client(cd, "department").get(url).json()
    assert dept["department"] and dept["cases"] == 0
    do(cd, "centre_a", case, "accept")
    do(cd, "centre_a", case, "dispatch")
    assert client(cd, "department").get(url).json()["cases"] == 1
    assert client(cd, "department").get(f"{url}?department=other").status_code == 404
    assert client(cd, "district").get(f"{url}?from=2030-01-02&to=2030-01-01").status_code == 422

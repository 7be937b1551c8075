"""Every endpoint of the visits router up the scope ladder: anonymous, no role, other grid, right grid."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from gridwork.conftest import GRID_A1, GRID_ORIGINS, District
from gridwork.fieldwork import visit_services as services
from gridwork.fieldwork.visit_models import Memo, Visit

pytestmark = pytest.mark.django_db

API = "/api/v1/fieldwork"
LON, LAT = GRID_ORIGINS[GRID_A1][0] + 0.004, GRID_ORIGINS[GRID_A1][1] + 0.004


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def ladder(district: District) -> dict[str, Client]:
    return {
        "anonymous": district.client(None),
        "nobody": district.client("nobody"),
        "other": district.client("worker_b1"),
        "right": district.client("worker_a1"),
    }


def test_due_list(district: District) -> None:
    c = ladder(district)
    url = f"{API}/due?area={GRID_A1}"
    assert c["anonymous"].get(url).status_code == 401
    assert c["nobody"].get(url).status_code in (403, 404)
    assert c["other"].get(url).status_code == 404
    assert c["other"].get(f"{API}/due").json() == []
    rows = c["right"].get(url).json()
    assert [r["person_id"] for r in rows] == [district.people[GRID_A1].pk]
    # Up the tree: the street sees its grids' key people too.
    assert len(district.client("street_a").get(url).json()) == 1


def test_plan(district: District) -> None:
    c = ladder(district)
    url = f"{API}/plan?lon={LON}&lat={LAT}"
    assert c["anonymous"].get(url).status_code == 401
    assert c["nobody"].get(url).status_code == 403
    assert c["other"].get(url).json()["stops"] == []
    plan = c["right"].get(url).json()
    assert plan["start_from"] == "here" and plan["why"]
    assert [(s["kind"], s["person_id"]) for s in plan["stops"]] == [("visit", district.people[GRID_A1].pk)]
    # A position outside the city is ignored: the plan starts from the grid's centre.
    assert c["right"].get(f"{API}/plan?lon=121.47&lat=31.23").json()["start_from"] == "grid"


def test_record_and_list_visits(district: District) -> None:
    c = ladder(district)
    person = district.people[GRID_A1]
    body = {"person_id": person.pk, "kind": "phone", "findings": "电话回访", "lon": LON, "lat": LAT}
    assert post(c["anonymous"], f"{API}/visits", body).status_code == 401
    assert post(c["nobody"], f"{API}/visits", body).status_code == 422
    assert post(c["other"], f"{API}/visits", body).status_code == 422
    assert not Visit.objects.exists()
    made = post(c["right"], f"{API}/visits", body)
    assert made.status_code == 201, made.content
    assert c["anonymous"].get(f"{API}/visits").status_code == 401
    assert c["nobody"].get(f"{API}/visits").status_code == 403
    assert c["other"].get(f"{API}/visits").json()["items"] == []
    assert [v["id"] for v in c["right"].get(f"{API}/visits").json()["items"]] == [made.json()["id"]]
    future = post(c["right"], f"{API}/visits", {**body, "visited_at": "2999-01-01T10:00:00+08:00"})
    assert future.status_code == 422 and Visit.objects.count() == 1


def test_memos_and_what_they_become(district: District) -> None:
    c = ladder(district)
    person = district.people[GRID_A1]
    body = {"person_id": person.pk, "text": "老人说暖气不热", "lon": LON, "lat": LAT}
    assert post(c["anonymous"], f"{API}/memos", body).status_code == 401
    assert post(c["nobody"], f"{API}/memos", body).status_code == 422
    assert post(c["other"], f"{API}/memos", body).status_code == 422
    made = post(c["right"], f"{API}/memos", body)
    assert made.status_code == 201, made.content
    memo_id = made.json()["id"]
    assert c["other"].get(f"{API}/memos").json()["items"] == []
    assert [m["id"] for m in c["right"].get(f"{API}/memos").json()["items"]] == [memo_id]
    for action, payload in (("case", {"category": "E0101"}), ("visit", {}), ("register-note", {"note": "x"})):
        url = f"{API}/memos/{memo_id}/{action}"
        assert post(c["anonymous"], url, payload).status_code == 401
        assert post(c["nobody"], url, payload).status_code == 404
        assert post(c["other"], url, payload).status_code == 404
    became = post(c["right"], f"{API}/memos/{memo_id}/case", {"category": "E0101"})
    assert became.status_code == 200, became.content
    assert became.json()["became"] == "case" and became.json()["became_case_id"]
    # Acted on once: a second tap is refused, and nothing else is made.
    assert post(c["right"], f"{API}/memos/{memo_id}/visit", {}).status_code == 422
    assert not Visit.objects.exists()
    other = services.write_memo(district.users["worker_a1"], person_id=person.pk, text="腿疼")
    assert post(c["right"], f"{API}/memos/{other.pk}/visit", {}).json()["became"] == "visit"
    third = services.write_memo(district.users["worker_a1"], person_id=person.pk, text="电话换号了")
    noted = post(c["right"], f"{API}/memos/{third.pk}/register-note", {"note": "电话号码需更新"})
    assert noted.json()["became"] == "register"
    assert Memo.objects.get(pk=third.pk).became_register_note == "电话号码需更新"


def test_sync_and_conflicts(district: District) -> None:
    c = ladder(district)
    entry = {
        "id": str(uuid.uuid4()),
        "kind": "memo",
        "at": None,
        "data": {"grid": GRID_A1, "subject": "place", "place": "3号楼门口", "text": "路灯不亮"},
    }
    for who in ("anonymous", "nobody"):
        assert post(c[who], f"{API}/sync", {"entries": [entry]}).status_code in (401, 403)
    refused = post(c["other"], f"{API}/sync", {"entries": [entry]}).json()
    assert refused["results"][0]["status"] == "refused"
    assert post(c["right"], f"{API}/sync", {"entries": [entry]}).json()["results"][0]["status"] == "stored"
    assert Memo.objects.get().place == "3号楼门口"
    assert post(c["right"], f"{API}/sync", {"entries": "nope"}).status_code == 422
    assert c["anonymous"].get(f"{API}/sync/conflicts").status_code == 401
    settle = f"{API}/sync/conflicts/{entry['id']}/settle"
    assert post(c["anonymous"], settle, {"keep": True}).status_code == 401
    assert post(c["right"], settle, {"keep": True}).status_code == 404  # stored, not a conflict

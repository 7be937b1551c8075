"""The field pages of part "visits" up the scope ladder, their forms without JavaScript, and the
installable app's manifest and service worker."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.conftest import COMMUNITY_A, GRID_A1, GRID_ORIGINS, District
from gridwork.fieldwork import visit_services as services
from gridwork.fieldwork.visit_models import Memo, Visit

pytestmark = pytest.mark.django_db

LON, LAT = GRID_ORIGINS[GRID_A1][0] + 0.004, GRID_ORIGINS[GRID_A1][1] + 0.004
PAGES = ["/fieldwork/", "/fieldwork/visit/", "/fieldwork/memo/", "/fieldwork/report/", "/fieldwork/memos/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_up_the_ladder(district: District, url: str) -> None:
    anonymous = district.client(None).get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert district.client("nobody").get(url).status_code == 403
    assert district.client("worker_b1").get(url).status_code == 200
    page = district.client("worker_a1").get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'rel="manifest"' in body and "fieldwork_visits.js" in body and "<script>" not in body


def test_the_plan_lists_only_the_workers_own_grid(district: District) -> None:
    name = district.people[GRID_A1].name
    assert name not in district.client("worker_b1").get("/fieldwork/").content.decode()
    page = district.client("worker_a1").get(f"/fieldwork/?lon={LON}&lat={LAT}").content.decode()
    assert name in page and f"person_id={district.people[GRID_A1].pk}" in page
    assert "plan-data" in page


def test_a_visit_and_a_memo_without_javascript(district: District) -> None:
    client, person = district.client("worker_a1"), district.people[GRID_A1]
    made = client.post(
        "/fieldwork/visit/",
        {
            "person_id": person.pk,
            "grid": GRID_A1,
            "kind": "home",
            "findings": "精神很好",
            "lon": LON,
            "lat": LAT,
        },
    )
    assert made.status_code == 302 and Visit.objects.get().findings == "精神很好"
    bad = client.post("/fieldwork/visit/", {"person_id": person.pk, "lon": "121.47", "lat": "31.23"})
    assert bad.status_code == 200 and "城市范围" in bad.content.decode() and Visit.objects.count() == 1
    other = district.client("worker_b1").post("/fieldwork/visit/", {"person_id": person.pk})
    assert other.status_code == 200 and Visit.objects.count() == 1
    memo = client.post(
        "/fieldwork/memo/", {"person_id": person.pk, "subject": "resident", "text": "想装扶手"}
    )
    assert memo.status_code == 302 and Memo.objects.get().text == "想装扶手"


def test_a_memo_becomes_a_case_in_one_tap(district: District) -> None:
    memo = services.write_memo(
        district.users["worker_a1"], person_id=district.people[GRID_A1].pk, text="楼道堆物"
    )
    url = f"/fieldwork/memos/{memo.pk}/case/"
    assert district.client("worker_b1").post(url, {"category": "E0101"}).status_code == 404
    assert district.client("worker_a1").post(url, {"category": "E0101"}).status_code == 302
    memo.refresh_from_db()
    assert memo.became_case_id is not None
    listing = district.client("worker_a1").get("/fieldwork/memos/").content.decode()
    assert memo.became_case.tracking_code in listing
    assert district.client("worker_b1").get("/fieldwork/memos/").content.decode().count("楼道堆物") == 0


def test_manifest_and_service_worker(client: Any, db: Any) -> None:
    manifest = client.get("/fieldwork/manifest.webmanifest")
    assert manifest["Content-Type"].startswith("application/manifest+json")
    assert manifest.json()["scope"] == "/fieldwork/" and manifest.json()["start_url"] == "/fieldwork/"
    worker = client.get("/fieldwork/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/fieldwork/"
    assert b'addEventListener("fetch"' in worker.content


def test_the_workers_home_shows_the_visits_panel(district: District) -> None:
    page = district.client("worker_a1").get("/").content.decode()
    assert "/fieldwork/" in page and ("1 never visited" in page or "1 名从未走访" in page)
    assert "/fieldwork/memo/" not in district.client("street_a").get("/").content.decode()


def test_the_visits_overview_of_an_area(district: District) -> None:
    person = district.people[GRID_A1]
    url = f"/fieldwork/visits/?area={COMMUNITY_A}"
    assert district.client(None).get(url).status_code == 302
    assert district.client("department").get(url).status_code == 403
    assert district.client("street_b").get(url).status_code == 404  # another street's: as missing
    assert district.client("street_a").get("/fieldwork/visits/?area=110112001001999").status_code == 404
    before = district.client("street_a").get(url).content.decode()
    assert person.name in before and "血压偏高" not in before
    worker = district.users["worker_a1"]
    services.record_visit(worker, person_id=person.pk, findings="血压偏高", lon=LON, lat=LAT)
    page = district.client("street_a").get(url).content.decode()
    assert "血压偏高" in page and f"/people/{person.pk}/" in page
    # Just visited: no longer overdue.
    assert "Nobody is overdue." in page or "无逾期未访人员" in page
    home = district.client("street_a").get("/").content.decode()
    assert "/fieldwork/visits/?area=" in home

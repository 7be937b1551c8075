"""Residents without an account: report, follow by tracking code, rate once at closing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from gridwork.cases.models import Case
from gridwork.cases.tests.api_helpers import API, upload
from gridwork.cases.tests.conftest import POINTS, URBAN
from gridwork.cases.tests.helpers import PNG, do
from gridwork.conftest import COMMUNITY_A, GRID_A1

NAME, PHONE = "赵小六", "13712345678"


@pytest.fixture(autouse=True)
def _fresh_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


def resident_report(**overrides: Any) -> Any:
    lon, lat = POINTS[GRID_A1]
    data = {
        "category": "E0104",
        "description": "楼下堆放建筑垃圾",
        "lon": lon,
        "lat": lat,
        "name": NAME,
        "phone": PHONE,
        **overrides,
    }
    return Client().post(f"{API}/public/reports", {k: v for k, v in data.items() if v is not None})


def close_through_the_loop(cd: Any, case: Case) -> Case:
    for who, action in (
        ("centre_a", "accept"),
        ("centre_a", "dispatch"),
        ("department", "handle"),
        ("worker_a1", "verify_pass"),
        ("centre_a", "feedback"),
    ):
        case = do(cd, who, case, action)
    return case


def test_report_follow_and_rate(cd: Any) -> None:
    response = resident_report(photo=upload("p.png", PNG, "image/png"))
    assert response.status_code == 201, response.content
    code = response.json()["tracking_code"]
    case = Case.objects.get(tracking_code=code)
    assert (case.source, case.status, case.holder_area_id) == ("resident", "submitted", COMMUNITY_A)
    assert (case.reporter_name, case.reporter_phone, case.reporter_id) == (NAME, PHONE, None)
    assert case.photos.count() == 1

    follow = Client().get(f"{API}/public/cases/{code.lower()}")
    assert follow.status_code == 200
    body = follow.json()
    assert body["status"] == "submitted" and body["can_rate"] is False
    assert [entry["action"] for entry in body["timeline"]] == ["report"]
    # Rating before closing is refused.
    early = Client().post(f"{API}/public/cases/{code}/rating", {"rating": 5}, content_type="application/json")
    assert early.status_code == 409

    close_through_the_loop(cd, case)
    body = Client().get(f"{API}/public/cases/{code}").json()
    assert body["status"] == "closed" and body["can_rate"] is True
    assert body["timeline"][-1]["note"] == "理由"  # the feedback to the resident
    content = Client().get(f"{API}/public/cases/{code}").content.decode()
    for private in (NAME, PHONE, "worker_a1", "centre_a", URBAN, str(case.lon)):
        assert private not in content

    rated = Client().post(
        f"{API}/public/cases/{code}/rating", {"rating": 4, "comment": "及时"}, content_type="application/json"
    )
    assert rated.status_code == 200 and rated.json()["rating"] == 4 and rated.json()["can_rate"] is False
    again = Client().post(f"{API}/public/cases/{code}/rating", {"rating": 5}, content_type="application/json")
    assert again.status_code == 409
    case.refresh_from_db()
    assert case.rating == 4 and case.rating_comment == "及时"


def test_bad_reports_and_ratings(cd: Any) -> None:
    missing_phone = resident_report(phone=None)
    assert missing_phone.status_code == 422 and missing_phone.json()["detail"][0]["field"] == "phone"
    bad_phone = resident_report(phone="12")
    assert bad_phone.status_code == 422 and bad_phone.json()["detail"][0]["field"] == "reporter_phone"
    outside = resident_report(lon=100.0, lat=30.0)
    assert outside.status_code == 422 and outside.json()["detail"][0]["field"] == "location"
    unknown = resident_report(category="E01")  # a branch, not a leaf
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "category"
    not_image = resident_report(photo=upload("p.jpg", b"<html>" + b"\x00" * 40))
    assert not_image.status_code == 422 and not_image.json()["detail"][0]["field"] == "photos"
    assert Case.objects.count() == 0
    assert Client().get(f"{API}/public/cases/NOSUCHCODE234").status_code == 404
    code = resident_report().json()["tracking_code"]
    out_of_range = Client().post(
        f"{API}/public/cases/{code}/rating", {"rating": 6}, content_type="application/json"
    )
    assert out_of_range.status_code == 422
    assert (
        Client()
        .post(f"{API}/public/cases/NOSUCHCODE234/rating", {"rating": 3}, content_type="application/json")
        .status_code
        == 404
    )


def test_writes_are_rate_limited_per_address(cd: Any, settings: Any) -> None:
    settings.CASES_PUBLIC_WRITES_PER_HOUR = 2
    assert resident_report().status_code == 201
    assert resident_report().status_code == 201
    refused = resident_report()
    assert refused.status_code == 429 and refused.json()["detail"]
    assert Case.objects.count() == 2
    # Reading is not limited.
    code = Case.objects.first().tracking_code
    assert Client().get(f"{API}/public/cases/{code}").status_code == 200

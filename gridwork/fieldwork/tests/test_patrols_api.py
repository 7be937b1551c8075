"""The patrols router: the scope ladder on every endpoint, and what each answers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridwork.api.tests.conftest import API, session_client, token_client
from gridwork.cases.models import Case
from gridwork.conftest import COMMUNITY_A, GRID_A1, District
from gridwork.fieldwork import patrols_services as services
from gridwork.fieldwork.patrols_models import Patrol, PatrolFinding, PatrolFix

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path  # photos in a throwaway folder


@pytest.fixture
def walked(district: District) -> dict[str, Any]:
    worker = district.users["worker_a1"]
    start = timezone.now() - dt.timedelta(hours=1)
    patrol = services.start_patrol(worker, at=start)
    services.add_fixes(
        worker,
        patrol.pk,
        [
            {"at": (start + dt.timedelta(minutes=n)).isoformat(), "lon": 116.605, "lat": 39.905 + n / 10000}
            for n in range(1, 4)
        ],
    )
    finding = services.add_finding(worker, patrol.pk, note="井盖缺失", lon=116.606, lat=39.906)
    return {"district": district, "patrol": patrol, "finding": finding}


def _post(client: Any, url: str, body: dict) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


READ_LADDER = [
    (None, 401),
    ("nobody", 404),
    ("admin", 404),
    ("worker_a2", 404),  # another grid of the same community
    ("worker_b1", 404),  # another street
    ("street_b", 404),
    ("department", 404),
    ("worker_a1", 200),
    ("member_a1", 200),
    ("centre_a", 200),
    ("street_a", 200),
    ("district", 200),
]
# Writes on a patrol: only its own worker; others who see it are refused, others 404.
WRITE_LADDER = [
    (None, 401),
    ("nobody", 404),
    ("worker_a2", 404),
    ("worker_b1", 404),
    ("member_a1", 403),
    ("centre_a", 403),
]


@pytest.mark.parametrize(("who", "status"), READ_LADDER)
@pytest.mark.parametrize("suffix", ["", "/fixes"])
def test_reading_a_patrol(walked: dict, who: str | None, status: int, suffix: str) -> None:
    client = session_client(walked["district"], who)
    response = client.get(f"{API}/patrols/{walked['patrol'].pk}{suffix}")
    assert response.status_code == status
    if status == 200 and suffix:
        assert [f["flag"] for f in response.json()] == ["", "", ""]
    elif status == 200:
        body = response.json()
        assert body["grid"] == GRID_A1 and body["fix_count"] == 3
        assert [f["note"] for f in body["findings"]] == ["井盖缺失"]


@pytest.mark.parametrize(
    ("who", "count"), [("nobody", 0), ("worker_a2", 0), ("worker_a1", 1), ("street_a", 1)]
)
def test_listing_patrols(walked: dict, who: str, count: int) -> None:
    response = session_client(walked["district"], who).get(f"{API}/patrols")
    assert response.status_code == 200
    assert response.json()["count"] == count
    assert session_client(walked["district"], None).get(f"{API}/patrols").status_code == 401


def test_list_filters_refuse_bad_values(walked: dict) -> None:
    client = session_client(walked["district"], "worker_a1")
    assert client.get(f"{API}/patrols?status=lost").status_code == 422
    assert client.get(f"{API}/patrols?grid=abc").status_code == 422
    assert client.get(f"{API}/patrols?status=open&grid={GRID_A1}").json()["count"] == 1


@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), ("nobody", 403), ("centre_a", 403), ("street_a", 403)]
)
def test_starting_is_for_grid_roles(district: District, who: str | None, status: int) -> None:
    assert _post(session_client(district, who), f"{API}/patrols", {}).status_code == status


def test_start_current_and_a_second_start(district: District) -> None:
    client = token_client(district.users["worker_a1"])
    assert client.get(f"{API}/patrols/current").status_code == 404
    started = _post(client, f"{API}/patrols", {"grid": GRID_A1})
    assert started.status_code == 201
    assert client.get(f"{API}/patrols/current").json()["id"] == started.json()["id"]
    assert _post(client, f"{API}/patrols", {}).status_code == 409
    assert session_client(district, None).get(f"{API}/patrols/current").status_code == 401
    assert session_client(district, "worker_a2").get(f"{API}/patrols/current").status_code == 404


@pytest.mark.parametrize(("who", "status"), [*WRITE_LADDER, ("worker_a1", 200)])
def test_adding_fixes(walked: dict, who: str | None, status: int) -> None:
    patrol = walked["patrol"]
    at = (patrol.started_at + dt.timedelta(minutes=10)).isoformat()
    body = {"fixes": [{"at": at, "lon": 116.606, "lat": 39.9055, "accuracy_m": 6}, {"at": "never"}]}
    response = _post(session_client(walked["district"], who), f"{API}/patrols/{patrol.pk}/fixes", body)
    assert response.status_code == status
    if status == 200:
        body_out = response.json()
        assert body_out["stored"] == 1 and [r["index"] for r in body_out["rejected"]] == [1]
        assert body_out["patrol"]["fix_count"] == 4
    assert PatrolFix.objects.filter(patrol=patrol).count() == (4 if status == 200 else 3)


def test_fixes_must_be_a_list(walked: dict) -> None:
    client = session_client(walked["district"], "worker_a1")
    assert _post(client, f"{API}/patrols/{walked['patrol'].pk}/fixes", {"fixes": "many"}).status_code == 422
    assert (
        _post(client, f"{API}/patrols/{walked['patrol'].pk}/fixes", {"fixes": [1] * 501}).status_code == 422
    )


@pytest.mark.parametrize(("who", "status"), [*WRITE_LADDER, ("worker_a1", 200)])
def test_ending(walked: dict, who: str | None, status: int) -> None:
    response = _post(session_client(walked["district"], who), f"{API}/patrols/{walked['patrol'].pk}/end", {})
    assert response.status_code == status
    if status == 200:
        assert response.json()["status"] == "ended" and response.json()["length_m"] > 0
        again = _post(session_client(walked["district"], who), f"{API}/patrols/{walked['patrol'].pk}/end", {})
        assert again.status_code == 409


def test_an_end_in_the_future_is_refused(walked: dict) -> None:
    client = session_client(walked["district"], "worker_a1")
    later = (timezone.now() + dt.timedelta(days=1)).isoformat()
    assert _post(client, f"{API}/patrols/{walked['patrol'].pk}/end", {"ended_at": later}).status_code == 422
    assert Patrol.objects.get(pk=walked["patrol"].pk).is_open


@pytest.mark.parametrize(("who", "status"), [*WRITE_LADDER, ("worker_a1", 201)])
def test_adding_a_finding(walked: dict, who: str | None, status: int) -> None:
    client = session_client(walked["district"], who)
    response = client.post(
        f"{API}/patrols/{walked['patrol'].pk}/findings",
        {"note": "路面塌陷", "lon": "116.607", "lat": "39.907", "photo": SimpleUploadedFile("p.png", PNG)},
    )
    assert response.status_code == status
    if status == 201:
        assert response.json()["has_photo"] is True
    assert PatrolFinding.objects.count() == (2 if status == 201 else 1)


def test_a_bad_finding_is_refused(walked: dict) -> None:
    client = session_client(walked["district"], "worker_a1")
    response = client.post(
        f"{API}/patrols/{walked['patrol'].pk}/findings",
        {"note": " ", "photo": SimpleUploadedFile("p.png", b"text")},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["detail"]} >= {"note", "photo"}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("nobody", 404),
        ("worker_a2", 404),
        ("worker_b1", 404),
        ("street_b", 404),
        ("worker_a1", 201),
    ],
)
def test_finding_to_case(walked: dict, who: str | None, status: int) -> None:
    client = session_client(walked["district"], who)
    response = _post(client, f"{API}/patrol-findings/{walked['finding'].pk}/case", {})
    assert response.status_code == status
    assert Case.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        case = Case.objects.get()
        assert response.json() == {"case_id": case.pk, "tracking_code": case.tracking_code}
        assert case.grid_id == GRID_A1 and case.title == "井盖缺失"
        assert _post(client, f"{API}/patrol-findings/{walked['finding'].pk}/case", {}).status_code == 409


def test_finding_to_case_with_an_unknown_category(walked: dict) -> None:
    client = session_client(walked["district"], "worker_a1")
    url = f"{API}/patrol-findings/{walked['finding'].pk}/case"
    assert _post(client, url, {"category": "NOPE"}).status_code == 422
    assert PatrolFinding.objects.get().case_id is None


@pytest.mark.parametrize(
    ("who", "area", "status"),
    [
        (None, COMMUNITY_A, 401),
        ("nobody", COMMUNITY_A, 404),
        ("worker_b1", COMMUNITY_A, 404),
        ("street_b", COMMUNITY_A, 404),
        ("worker_a1", COMMUNITY_A, 404),  # a grid worker sees their own grid, not the community
        ("worker_a1", GRID_A1, 200),
        ("centre_a", COMMUNITY_A, 200),
        ("street_a", COMMUNITY_A, 200),
        ("street_a", "not-a-code", 404),
    ],
)
def test_coverage_ladder(walked: dict, who: str | None, area: str, status: int) -> None:
    response = session_client(walked["district"], who).get(f"{API}/patrol-coverage", {"area": area})
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["patrolled"] == 1 and GRID_A1 not in body["not_patrolled"]

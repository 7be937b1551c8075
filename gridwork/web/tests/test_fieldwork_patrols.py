"""Patrol pages: the scope ladder on each (anonymous, no role, other grid, right grid, above),
what they show, and that their forms call the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridwork.cases.models import Case
from gridwork.conftest import COMMUNITY_A, GRID_A1, STREET_A, District
from gridwork.fieldwork import patrols_services as services
from gridwork.fieldwork.patrols_models import Patrol, PatrolFinding
from gridwork.web.tests.helpers import assert_login_redirect, html

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def walked(district: District) -> dict[str, Any]:
    worker = district.users["worker_a1"]
    start = timezone.now() - dt.timedelta(hours=1)
    patrol = services.start_patrol(worker, at=start)
    points = [(116.605, 39.905, 5), (116.605, 39.906, 5), (116.7, 39.906, 5), (116.606, 39.906, 400)]
    services.add_fixes(
        worker,
        patrol.pk,
        [
            {
                "at": (start + dt.timedelta(minutes=n + 1)).isoformat(),
                "lon": lon,
                "lat": lat,
                "accuracy_m": acc,
            }
            for n, (lon, lat, acc) in enumerate(points)
        ],
    )
    finding = services.add_finding(worker, patrol.pk, note="井盖缺失", lon=116.606, lat=39.906, photo=PNG)
    return {"district": district, "patrol": patrol, "finding": finding}


def test_patrol_now_ladder(district: District) -> None:
    assert_login_redirect(district.client(None).get("/patrol/"))
    assert district.client("nobody").get("/patrol/").status_code == 403
    assert district.client("centre_a").get("/patrol/").status_code == 403  # staff do not patrol
    body = html(district.client("worker_a1").get("/patrol/"))
    assert 'action="/patrol/start/"' in body


def test_start_then_the_live_page_and_end(district: District) -> None:
    client = district.client("worker_a1")
    assert_login_redirect(district.client(None).post("/patrol/start/"))
    assert district.client("nobody").post("/patrol/start/").status_code == 403
    assert client.post("/patrol/start/").status_code == 302
    patrol = Patrol.objects.get()
    assert patrol.grid_id == GRID_A1 and patrol.is_open
    client.post("/patrol/start/")  # a second tap: refused with a message, still one patrol
    assert Patrol.objects.count() == 1
    body = html(client.get("/patrol/"))
    assert f'data-fixes-url="/api/v1/patrols/{patrol.pk}/fixes"' in body
    assert "fieldwork_patrols.js" in body and f'action="/patrols/{patrol.pk}/end/"' in body
    assert 'for="id_note"' in body and 'for="id_photo"' in body
    response = client.post(f"/patrols/{patrol.pk}/end/")
    assert response.status_code == 302 and response["Location"] == f"/patrols/{patrol.pk}/"
    assert not Patrol.objects.get().is_open


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("nobody", 403),
        ("worker_a2", 404),
        ("worker_b1", 404),
        ("street_b", 404),
        ("worker_a1", 200),
        ("member_a1", 200),
        ("centre_a", 200),
        ("street_a", 200),
    ],
)
def test_patrol_page_ladder(walked: dict, who: str, status: int) -> None:
    response = walked["district"].client(who).get(f"/patrols/{walked['patrol'].pk}/")
    assert response.status_code == status
    if status == 200:
        body = html(response)
        assert "<polyline" in body and "<polygon" in body  # the track over the grid's outline
        assert body.count('class="fix-flagged fix-speed"') == 1
        assert body.count('class="fix-flagged fix-accuracy"') == 1
        assert "井盖缺失" in body and f"/patrol-findings/{walked['finding'].pk}/photo/" in body


def test_patrol_page_anonymous(walked: dict) -> None:
    assert_login_redirect(walked["district"].client(None).get(f"/patrols/{walked['patrol'].pk}/"))


@pytest.mark.parametrize(("who", "status"), [("nobody", 403), ("worker_a2", 404), ("worker_a1", 302)])
def test_end_ladder(walked: dict, who: str, status: int) -> None:
    response = walked["district"].client(who).post(f"/patrols/{walked['patrol'].pk}/end/")
    assert response.status_code == status
    assert Patrol.objects.get().is_open is (status != 302)


def test_a_member_cannot_end_the_workers_patrol(walked: dict) -> None:
    walked["district"].client("member_a1").post(f"/patrols/{walked['patrol'].pk}/end/")
    assert Patrol.objects.get().is_open


@pytest.mark.parametrize(("who", "status"), [("nobody", 403), ("worker_a2", 404), ("worker_a1", 302)])
def test_finding_form_ladder(walked: dict, who: str, status: int) -> None:
    response = (
        walked["district"]
        .client(who)
        .post(
            f"/patrols/{walked['patrol'].pk}/findings/",
            {
                "note": "路灯不亮",
                "lon": "116.607",
                "lat": "39.907",
                "photo": SimpleUploadedFile("a.png", PNG),
            },
        )
    )
    assert response.status_code == status
    assert PatrolFinding.objects.count() == (2 if status == 302 else 1)


def test_a_bad_finding_keeps_nothing_and_says_why(walked: dict) -> None:
    client = walked["district"].client("worker_a1")
    client.post(f"/patrols/{walked['patrol'].pk}/findings/", {"note": "", "lon": "x", "lat": "y"})
    assert PatrolFinding.objects.count() == 1
    assert '<li class="error">' in html(client.get("/patrol/"))


@pytest.mark.parametrize(
    ("who", "status"), [("nobody", 403), ("worker_a2", 404), ("worker_b1", 404), ("worker_a1", 302)]
)
def test_finding_to_case_ladder(walked: dict, who: str, status: int) -> None:
    response = (
        walked["district"]
        .client(who)
        .post(f"/patrol-findings/{walked['finding'].pk}/case/", {"category": "C0102"})
    )
    assert response.status_code == status
    assert Case.objects.count() == (1 if status == 302 else 0)
    if status == 302:
        case = Case.objects.get()
        assert case.category.code == "C0102" and case.grid_id == GRID_A1
        assert PatrolFinding.objects.get().case_id == case.pk
        assert f"/cases/{case.pk}/" in html(
            walked["district"].client(who).get(f"/patrols/{walked['patrol'].pk}/")
        )


@pytest.mark.parametrize(
    ("who", "status"), [("nobody", 403), ("worker_a2", 404), ("worker_a1", 200), ("street_a", 200)]
)
def test_finding_photo_ladder(walked: dict, who: str, status: int) -> None:
    response = walked["district"].client(who).get(f"/patrol-findings/{walked['finding'].pk}/photo/")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize(
    ("who", "area", "status"),
    [
        ("nobody", COMMUNITY_A, 403),
        ("worker_b1", COMMUNITY_A, 404),
        ("street_b", STREET_A, 404),
        ("worker_a1", COMMUNITY_A, 404),
        ("worker_a1", GRID_A1, 200),
        ("centre_a", COMMUNITY_A, 200),
        ("street_a", STREET_A, 200),
    ],
)
def test_coverage_ladder(walked: dict, who: str, area: str, status: int) -> None:
    response = walked["district"].client(who).get("/patrols/coverage/", {"area": area})
    assert response.status_code == status
    if status == 200:
        body = html(response)
        assert f"/patrols/{walked['patrol'].pk}/" in body
        assert ("not-patrolled" in body) is (area != GRID_A1)


def test_coverage_anonymous_and_bad_day(walked: dict) -> None:
    assert_login_redirect(walked["district"].client(None).get("/patrols/coverage/"))
    client = walked["district"].client("centre_a")
    response = client.get("/patrols/coverage/", {"area": COMMUNITY_A, "day": "2026-02-31"})
    assert response.status_code == 200 and 'class="error"' in html(response)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    body = html(client.get("/patrols/coverage/", {"area": COMMUNITY_A, "day": yesterday}))
    assert f"/patrols/{walked['patrol'].pk}/" not in body and body.count('class="not-patrolled"') == 2


def test_home_panels(walked: dict, settings: Any) -> None:
    district = walked["district"]
    worker = district.client("worker_a1")
    worker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Continue the patrol" in html(worker.get("/"))
    services.end_patrol(district.users["worker_a1"], walked["patrol"].pk)
    assert "1 patrol today" in html(worker.get("/"))
    centre = district.client("centre_a")
    centre.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = html(centre.get("/"))
    assert f'href="/patrols/coverage/?area={COMMUNITY_A}"' in body
    # GRID_A1 walked, GRID_A2 not.
    assert "1 of 2 grids patrolled today" in body
    assert "Start patrol" not in body

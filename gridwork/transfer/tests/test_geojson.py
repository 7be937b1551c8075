"""GeoJSON import of grid boundaries and building points: all or nothing, errors by feature."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from gridwork.api.tests.conftest import API, token_client
from gridwork.areas.models import AreaBoundary
from gridwork.conftest import GRID_A1, GRID_A2, square
from gridwork.core.system import SYSTEM
from gridwork.registry.models import Building
from gridwork.transfer import services
from gridwork.transfer.tests.conftest import report_rows

DAY = dt.date(2025, 3, 1)


def _collection(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _feature(code: str, geometry: dict) -> dict:
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


def _point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def _geo(actor, content: bytes, mode: str = "all_or_nothing", language: str = "en"):
    job = services.start_import(
        actor, "geojson", io.BytesIO(content), "grids.geojson", mode, language, valid_from=DAY
    )
    job.refresh_from_db()
    return job


def test_boundaries_and_points(district):
    building = district.buildings[GRID_A1]
    # Grid A1 grows east over half of A2's square; the building moves into grid A2's remaining half.
    content = _collection(
        _feature(f"B{GRID_A1}", _point(116.618, 39.905)),
        _feature(GRID_A1, square(116.60, 39.90, 0.015)),
        _feature(
            GRID_A2, {"type": "MultiPolygon", "coordinates": [square(116.615, 39.90, 0.005)["coordinates"]]}
        ),
    )
    job = _geo(SYSTEM, content)
    assert (job.status, job.errors_count, job.created, job.updated) == ("done", 0, 2, 1)
    current = AreaBoundary.objects.get(area__code=GRID_A1, valid_to__isnull=True)
    assert current.valid_from == DAY and current.max_lon == pytest.approx(116.615)
    assert AreaBoundary.objects.get(area__code=GRID_A1, valid_to=DAY).valid_from == dt.date(2024, 1, 1)
    building.refresh_from_db()
    assert (building.lon, building.lat) == (116.618, 39.905)


BAD = [
    (
        "malformed polygon",
        _feature(GRID_A1, {"type": "Polygon", "coordinates": [[[116.6, 39.9], [116.7, 39.9]]]}),
    ),
    ("unknown area", _feature("110112001001999", square(116.6, 39.9))),
    ("unknown building", _feature("NO-SUCH", _point(116.605, 39.905))),
    ("outside every grid", _feature(f"B{GRID_A1}", _point(100.0, 30.0))),
    ("no code", {"type": "Feature", "properties": {}, "geometry": _point(116.605, 39.905)}),
    ("line", _feature(GRID_A1, {"type": "LineString", "coordinates": [[116.6, 39.9], [116.7, 39.9]]})),
]


@pytest.mark.parametrize(("case", "bad"), BAD, ids=[b[0] for b in BAD])
def test_one_bad_feature_writes_nothing(district, case, bad):
    boundaries = AreaBoundary.objects.count()
    good = _feature(GRID_A2, square(116.61, 39.90, 0.012))
    job = _geo(SYSTEM, _collection(good, bad))
    assert job.status == "done" and job.errors_count == 1 and not job.written
    [error] = report_rows(job)
    code = (bad.get("properties") or {}).get("code", "")
    assert error[:3] == ["2", "code", code] and error[3]
    assert AreaBoundary.objects.count() == boundaries
    assert Building.objects.get(pk=district.buildings[GRID_A1].pk).lon == pytest.approx(116.605)


def test_messages_in_the_users_language(district):
    content = _collection(_feature(f"B{GRID_A1}", _point(100.0, 30.0)))
    en = report_rows(_geo(SYSTEM, content, "check"))[0]
    zh = report_rows(_geo(SYSTEM, content, "check", "zh-hans"))[0]
    assert en[3] == "The point lies outside every grid." and zh[3] != en[3] and zh[1] != "code"


def test_not_a_feature_collection_is_refused(district):
    job = _geo(SYSTEM, b'{"type": "Feature"}')
    assert job.status == "failed" and "FeatureCollection" in job.message
    job = _geo(SYSTEM, b"not json")
    assert job.status == "failed" and "JSON" in job.message
    with pytest.raises(ValidationError, match="geojson"):
        services.start_import(SYSTEM, "geojson", io.BytesIO(b"{}"), "grids.csv", "check", "en")


def test_scope_per_feature(district):
    content = _collection(
        _feature(GRID_A1, square(116.60, 39.90, 0.011)), _feature(f"B{GRID_A1}", _point(116.606, 39.906))
    )
    # A grid worker moves buildings in the grid but may not redraw it; district staff the reverse.
    errors = report_rows(_geo(district.users["worker_a1"], content, "check"))
    assert [e[:3] for e in errors] == [["1", "code", GRID_A1]]
    errors = report_rows(_geo(district.users["district"], content, "check"))
    assert [e[:3] for e in errors] == [["2", "code", f"B{GRID_A1}"]]
    with pytest.raises(PermissionDenied):
        _geo(district.users["auditor"], content, "check")


def test_command_with_valid_from(district, tmp_path):
    path = tmp_path / "grids.geojson"
    path.write_bytes(_collection(_feature(GRID_A1, square(116.60, 39.90, 0.011))))
    out = io.StringIO()
    call_command(
        "import", "geojson", str(path), "--mode", "all_or_nothing", "--valid-from", "2025-05-01", stdout=out
    )
    assert "created 1" in out.getvalue()
    assert AreaBoundary.objects.get(area__code=GRID_A1, valid_to__isnull=True).valid_from == dt.date(
        2025, 5, 1
    )
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import",
            "geojson",
            str(path),
            "--mode",
            "all_or_nothing",
            "--valid-from",
            "2025-04-01",
            stdout=out,
        )


def test_page_and_api(district):
    content = _collection(_feature(f"B{GRID_A1}", _point(116.606, 39.906)))
    client = district.client("worker_a1")
    assert 'value="geojson"' in client.get("/imports/").content.decode()
    response = client.post(
        "/imports/",
        {
            "kind": "geojson",
            "mode": "all_or_nothing",
            "valid_from": "2025-03-01",
            "file": SimpleUploadedFile("b.geojson", content),
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "GeoJSON" in page
    assert Building.objects.get(pk=district.buildings[GRID_A1].pk).lon == 116.606
    bad_day = client.post(
        "/imports/",
        {
            "kind": "geojson",
            "mode": "check",
            "valid_from": "someday",
            "file": SimpleUploadedFile("b.geojson", content),
        },
    )
    assert bad_day.status_code == 422
    api = token_client(district.users["worker_a1"])
    body = api.post(
        f"{API}/imports",
        {
            "kind": "geojson",
            "mode": "check",
            "valid_from": "2025-03-01",
            "file": SimpleUploadedFile(
                "b.geojson", _collection(_feature(f"B{GRID_A1}", _point(100.0, 30.0)))
            ),
        },
    ).json()
    assert body["status"] == "done" and body["errors_count"] == 1
    assert (
        token_client(district.users["auditor"])
        .post(f"{API}/imports", {"kind": "geojson", "file": SimpleUploadedFile("b.geojson", content)})
        .status_code
        == 403
    )

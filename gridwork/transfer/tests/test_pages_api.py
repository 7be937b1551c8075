"""The import pages and API endpoints, tested as an access ladder."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gridwork.api.tests.conftest import API, token_client
from gridwork.conftest import GRID_A1
from gridwork.transfer.tests.conftest import run
from gridwork.transfer.tests.helpers import csv_bytes, person_row
from gridwork.web.tests.helpers import assert_login_redirect

HH = f"H{GRID_A1}"


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", content, content_type="text/csv")


LADDER = [(None, "login"), ("nobody", 403), ("street_a", 403), ("worker_b1", 200), ("worker_a1", 200)]


@pytest.mark.parametrize(("who", "expected"), LADDER)
def test_imports_page_ladder(district, who, expected):
    response = district.client(who).get("/imports/")
    if expected == "login":
        assert_login_redirect(response)
    else:
        assert response.status_code == expected
    template = district.client(who).get("/imports/templates/persons.xlsx")
    assert template.status_code == (302 if who is None else expected)


def test_templates_in_the_users_language(district):
    client = district.client("worker_a1")
    zh = client.get("/imports/templates/persons.csv", headers={"accept-language": "zh-hans"})
    first, notes = zh.content.decode("utf-8-sig").splitlines()[:2]
    assert first.startswith("网格编码,户号") and notes.startswith("#")
    xlsx = client.get("/imports/templates/buildings.xlsx")
    assert xlsx.content[:4] == b"PK\x03\x04"
    assert client.get("/imports/templates/pets.csv").status_code == 404
    assert client.get("/imports/templates/persons.exe").status_code == 404


def test_upload_and_job_page(district):
    client = district.client("worker_a1")
    content = csv_bytes("persons", [person_row(1, HH, phone="x")])
    response = client.post("/imports/", {"kind": "persons", "mode": "check", "file": _upload(content)})
    assert response.status_code == 302
    job_url = response["Location"]
    page = client.get(job_url)
    assert page.status_code == 200 and "errors.xlsx" in page.content.decode()
    report = client.get(job_url + "errors.csv")
    assert report.status_code == 200 and b"phone" in b"".join(report.streaming_content)
    # Another user's job (even above in the tree) answers 404 like a missing one.
    for who in ("worker_b1", "centre_a"):
        assert district.client(who).get(job_url).status_code == 404
        assert district.client(who).get(job_url + "errors.csv").status_code == 404
    refused = client.post(
        "/imports/",
        {"kind": "persons", "mode": "check", "file": SimpleUploadedFile("people.exe", b"x")},
        headers={"accept-language": "en"},
    )
    assert refused.status_code == 422 and ".xlsx or .csv" in refused.content.decode()


def test_running_job_polls_with_htmx(district):
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", [person_row(1, HH)]), mode="check")
    job.status = "running"
    job.save()
    html = district.client("worker_a1").get(f"/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html


def _api_client(district, who):
    return Client() if who is None else token_client(district.users[who])


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 401), ("nobody", 403), ("street_a", 403), ("worker_b1", 202), ("worker_a1", 202)],
)
def test_api_start_ladder(district, who, expected):
    content = csv_bytes("persons", [person_row(1, HH)])
    response = _api_client(district, who).post(
        f"{API}/imports", {"kind": "persons", "mode": "check", "file": _upload(content)}
    )
    assert response.status_code == expected, response.content
    if expected == 202:
        body = response.json()
        # worker_b1 may import, but not into grid A's household: the row is refused.
        assert body["status"] == "done" and body["errors_count"] == (0 if who == "worker_a1" else 1)


def test_api_job_and_report(district):
    owner = token_client(district.users["worker_a1"])
    content = csv_bytes("persons", [person_row(1, HH, phone="x")])
    job = owner.post(
        f"{API}/imports", {"kind": "persons", "mode": "all_or_nothing", "file": _upload(content)}
    ).json()
    status = owner.get(f"{API}/imports/{job['id']}")
    assert status.status_code == 200 and status.json()["errors_count"] == 1
    report = owner.get(f"{API}/imports/{job['id']}/errors?format=xlsx")
    assert report.status_code == 200 and b"".join(report.streaming_content)[:2] == b"PK"
    for who, expected in ((None, 401), ("nobody", 404), ("worker_b1", 404), ("centre_a", 404)):
        assert _api_client(district, who).get(f"{API}/imports/{job['id']}").status_code == expected
        assert _api_client(district, who).get(f"{API}/imports/{job['id']}/errors").status_code == expected
    bad = owner.post(f"{API}/imports", {"kind": "pets", "file": _upload(content)})
    assert bad.status_code == 422

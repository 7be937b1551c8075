"""Third-party Open311 clients against a live Gridwork server on 127.0.0.1.

Two clients from PyPI, neither ours:
- `civicbot`'s Open311Client lists the services, posts a request (its create_request, sent for real
  with an api_key) and reads it back — the whole round trip through someone else's client;
- `georeport` lists the services, reads their definitions and reads requests back, in JSON and XML.
  It cannot create requests, so in its test the request is posted with `requests`.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
from civicbot.http import HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport

from gridwork.accounts import services as accounts
from gridwork.accounts.services import issue_token
from gridwork.cases.models import Case
from gridwork.cases.tests.conftest import POINTS
from gridwork.conftest import GRID_A1, PASSWORD
from gridwork.core.system import SYSTEM

# The live server listens on the loopback address only (read once, when it first starts).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_georeport_lists_services_and_reads_back_a_posted_request(
    cd: Any, live_server: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    assert live_server.url.startswith("http://127.0.0.1:")
    root = f"{live_server.url}/open311/v2"
    client_user = accounts.create_user(SYSTEM, "open311_client", PASSWORD, check_password=False)
    api_key = issue_token(SYSTEM, client_user, "open311", days=30)

    json_client = GeoReport(root, api_key=api_key)
    xml_client = GeoReport(root, api_key=api_key, output_format="xml")

    services = json_client.get_service_list()
    codes = {service["service_code"] for service in services}
    assert {"E0101", "E0104", "E0401"} <= codes
    assert {service["service_code"] for service in xml_client.get_service_list()} == codes
    assert json_client.get_service_definition("E0104") == {"service_code": "E0104", "attributes": []}
    assert xml_client.get_service_definition("E0104")["service_code"] == "E0104"

    lon, lat = POINTS[GRID_A1]
    response = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": api_key,
            "service_code": "E0104",
            "lat": lat,
            "long": lon,
            "description": "Rubble on the pavement",
            "first_name": "Jane",
            "last_name": "Doe",
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    request_id = response.json()[0]["service_request_id"]

    read_back = json_client.get_service_request(request_id)
    assert read_back["service_request_id"] == request_id
    assert (read_back["service_code"], read_back["status"]) == ("E0104", "open")
    assert read_back["description"] == ""  # what a resident wrote is never published
    assert read_back["expected_datetime"]
    listed = json_client.get_service_requests(service_code="E0104", status="open")
    assert [row["service_request_id"] for row in listed] == [request_id]
    as_xml = xml_client.get_service_request(request_id)
    assert as_xml["service_request_id"] == request_id and as_xml["status"] == "open"
    assert Case.objects.get(pk=int(request_id)).source == "open311"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_civicbot_lists_services_posts_a_request_and_reads_it_back(
    cd: Any, live_server: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    root = f"{live_server.url}/open311/v2"
    client_user = accounts.create_user(SYSTEM, "open311_app", PASSWORD, check_password=False)
    api_key = issue_token(SYSTEM, client_user, "open311", days=30)
    endpoint = Endpoint(id="gridwork-test", name="Gridwork (test)", base_url=root, write=True)
    # The client spaces calls to one host by default; a local test server needs no politeness.
    client = Open311Client(endpoint, transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0)))

    services = client.list_services()
    assert "E0104" in {service["service_code"] for service in services}
    lon, lat = POINTS[GRID_A1]
    sent = client.create_request(
        "E0104",
        dry_run=False,
        confirm="SEND",
        api_key=api_key,
        validate_remote=True,
        lat=lat,
        lng=lon,
        description="Broken paving stones",
        first_name="Li",
        last_name="Ming",
    )
    request_id = sent.response[0]["service_request_id"]
    read_back = client.get_request(request_id)
    assert read_back["service_request_id"] == request_id
    assert (read_back["service_code"], read_back["status"]) == ("E0104", "open")
    assert read_back["description"] == ""  # what a resident wrote is never published
    assert request_id in [row["service_request_id"] for row in client.list_requests(service_code="E0104")]
    case = Case.objects.get(pk=int(request_id))
    assert case.source == "open311" and case.grid_id == GRID_A1

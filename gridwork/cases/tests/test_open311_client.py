"""A third-party Open311 client against a live Gridwork server on 127.0.0.1.

The client is `georeport` from PyPI (not ours): it lists the services, reads their definitions and
reads requests back, in JSON and XML. It cannot create requests (its documentation says so), so the
request is posted with `requests`, the HTTP library georeport itself is built on, exactly as the
spec describes the POST (form fields, api_key).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
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
    assert read_back["description"] == "Rubble on the pavement"
    assert read_back["expected_datetime"]
    listed = json_client.get_service_requests(service_code="E0104", status="open")
    assert [row["service_request_id"] for row in listed] == [request_id]
    as_xml = xml_client.get_service_request(request_id)
    assert as_xml["service_request_id"] == request_id and as_xml["status"] == "open"
    assert Case.objects.get(pk=int(request_id)).source == "open311"

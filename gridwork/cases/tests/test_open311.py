"""Open311 GeoReport v2: services, definitions, requests (JSON and XML), tokens, the spec's errors,
api_key for posting, and the mapping of Gridwork's statuses."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from gridwork.accounts import services as accounts
from gridwork.accounts.services import issue_token
from gridwork.cases.models import Case
from gridwork.cases.tests.conftest import POINTS, URBAN
from gridwork.cases.tests.helpers import do, report
from gridwork.conftest import GRID_A1, PASSWORD
from gridwork.core.system import SYSTEM

BASE = "/open311/v2"


@pytest.fixture
def api_key(cd: Any) -> str:
    """A token of a dedicated account for the client system, holding no role."""
    client_user = accounts.create_user(SYSTEM, "open311_client", PASSWORD, check_password=False)
    return issue_token(SYSTEM, client_user, "open311", days=365)


def post_request(api_key: str | None, fmt: str = "json", **overrides: Any) -> Any:
    lon, lat = POINTS[GRID_A1]
    data = {
        "service_code": "E0104",
        "lat": lat,
        "long": lon,
        "description": "人行道上堆放建筑垃圾",
        "first_name": "Jane",
        "last_name": "Doe",
        "phone": "13812345678",
        "email": "jane@example.org",
        "media_url": "https://example.org/photo.jpg",
        **overrides,
    }
    if api_key is not None:
        data["api_key"] = api_key
    return Client().post(f"{BASE}/requests.{fmt}", {k: v for k, v in data.items() if v is not None})


def xml(response: Any) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 our own server's answer


def test_service_list_json_and_xml(cd: Any) -> None:
    services = Client().get(f"{BASE}/services.json").json()
    by_code = {s["service_code"]: s for s in services}
    assert {"E0101", "E0104", "E0401", "S0201"} <= set(by_code)
    assert "E01" not in by_code  # branches are groups, not services
    assert by_code["E0104"]["metadata"] is False and by_code["E0104"]["type"] == "realtime"
    assert by_code["E0104"]["service_name"] and by_code["E0104"]["group"]
    root = xml(Client().get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    codes = {node.findtext("service_code") for node in root.findall("service")}
    assert codes == set(by_code)
    assert root.find("service").findtext("metadata") == "false"


def test_service_definition(cd: Any) -> None:
    assert Client().get(f"{BASE}/services/E0104.json").json() == {"service_code": "E0104", "attributes": []}
    root = xml(Client().get(f"{BASE}/services/E0104.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "E0104"
    assert root.find("attributes") is not None and list(root.find("attributes")) == []
    missing = Client().get(f"{BASE}/services/NOPE.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": missing.json()[0]["description"]}]
    error = xml(Client().get(f"{BASE}/services/NOPE.xml"))
    assert error.tag == "errors" and error.find("error").findtext("code") == "404"
    assert error.find("error").findtext("description")


def test_post_needs_a_valid_api_key(cd: Any, api_key: str) -> None:
    for key in (None, "", "gw_not-a-token"):
        response = post_request(key)
        assert response.status_code == 403
        [error] = response.json()
        assert error["code"] == 403 and "api_key" in error["description"]
    root = xml(post_request(None, fmt="xml"))
    assert root.tag == "errors" and root.find("error").findtext("code") == "403"
    assert Case.objects.count() == 0


def test_post_then_read_back_json_and_xml(cd: Any, api_key: str) -> None:
    response = post_request(api_key)
    assert response.status_code == 201, response.content
    [created] = response.json()
    case = Case.objects.get(pk=int(created["service_request_id"]))
    assert created["token"] == case.tracking_code
    assert (case.source, case.category.code, case.grid_id, case.status) == (
        "open311",
        "E0104",
        GRID_A1,
        "submitted",
    )
    assert case.reporter_name == "Jane Doe" and case.reporter_phone == "13812345678"
    assert "https://example.org/photo.jpg" in case.events.get(action="report").note

    [row] = Client().get(f"{BASE}/requests/{case.pk}.json").json()
    assert row["service_request_id"] == str(case.pk) and row["status"] == "open"
    # A public board: what residents wrote, and the exact point, are not published.
    assert row["service_code"] == "E0104" and row["description"] == ""
    assert row["agency_responsible"] == URBAN
    assert row["expected_datetime"] == timezone.localtime(case.deadline).isoformat(timespec="seconds")
    assert dt.datetime.fromisoformat(row["requested_datetime"]).utcoffset() is not None
    assert row["address"] == case.grid.name
    assert (row["lat"], row["long"]) != (case.lat, case.lon)
    assert abs(row["lat"] - case.lat) < 0.01 and abs(row["long"] - case.lon) < 0.01  # the grid's centre
    content = Client().get(f"{BASE}/requests/{case.pk}.json").content.decode()
    assert "Jane" not in content and "13812345678" not in content and "example.org" not in content
    assert "人行道上堆放建筑垃圾" not in content

    root = xml(Client().get(f"{BASE}/requests/{case.pk}.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == str(case.pk) and request.findtext("status") == "open"

    [token] = Client().get(f"{BASE}/tokens/{case.tracking_code}.json").json()
    assert token == {"service_request_id": str(case.pk), "token": case.tracking_code}
    token_xml = xml(Client().get(f"{BASE}/tokens/{case.tracking_code}.xml"))
    assert token_xml.find("request").findtext("service_request_id") == str(case.pk)


def test_status_mapping_and_notes(cd: Any, api_key: str) -> None:
    [created] = post_request(api_key).json()
    case = Case.objects.get(pk=int(created["service_request_id"]))
    for who, action, expected in (
        ("centre_a", "accept", "open"),
        ("centre_a", "dispatch", "open"),
        ("department", "handle", "open"),
        ("worker_a1", "verify_pass", "open"),
    ):
        case = do(cd, who, case, action)
        [row] = Client().get(f"{BASE}/requests/{case.pk}.json").json()
        assert row["status"] == expected
        assert row["status_notes"] == str(case.get_status_display())
    # A note addressed to the resident stays off the public board: it may name them or a neighbour.
    case = do(cd, "centre_a", case, "feedback", note="王秀英家门口已清运完毕")
    [row] = Client().get(f"{BASE}/requests/{case.pk}.json").json()
    assert (row["status"], row["status_notes"]) == ("closed", str(case.get_status_display()))
    assert "王秀英" not in Client().get(f"{BASE}/requests.json").content.decode()
    [rejected] = post_request(api_key).json()
    case = do(cd, "centre_a", Case.objects.get(pk=int(rejected["service_request_id"])), "reject", note="重复")
    [row] = Client().get(f"{BASE}/requests/{rejected['service_request_id']}.json").json()
    assert (row["status"], row["status_notes"]) == ("closed", str(case.get_status_display()))


def test_request_filters(cd: Any, api_key: str) -> None:
    first = int(post_request(api_key).json()[0]["service_request_id"])
    second = int(post_request(api_key, service_code="E0101").json()[0]["service_request_id"])
    internal = report(cd)  # reported by a grid worker: not published through Open311

    def ids(query: str = "") -> list[int]:
        response = Client().get(f"{BASE}/requests.json{query}")
        assert response.status_code == 200, response.content
        return sorted(int(row["service_request_id"]) for row in response.json())

    assert ids() == sorted([first, second]) and internal.pk not in ids()
    assert ids("?service_code=E0101") == [second]
    assert ids("?service_code=E0101,E0104") == sorted([first, second])
    assert ids(f"?service_request_id={first}") == [first]
    assert ids(f"?service_request_id={first},{internal.pk}&service_code=E0101") == [first]
    assert ids("?status=closed") == []
    assert ids("?status=open") == sorted([first, second])
    assert ids("?status=open,closed") == sorted([first, second])
    assert ids("?start_date=2001-01-01T00:00:00Z&end_date=2001-02-01T00:00:00Z") == []
    today = timezone.now().strftime("%Y-%m-%dT00:00:00%z")
    assert ids(f"?start_date={today.replace('+', '%2B')}") == sorted([first, second])
    assert Client().get(f"{BASE}/requests/{internal.pk}.json").status_code == 404

    root = xml(Client().get(f"{BASE}/requests.xml?service_code=E0101"))
    assert [n.findtext("service_request_id") for n in root.findall("request")] == [str(second)]


@pytest.mark.parametrize(
    "query",
    [
        "?start_date=yesterday",
        "?start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z",
        "?start_date=2025-02-01T00:00:00Z&end_date=2025-01-01T00:00:00Z",
        "?status=pending",
        "?service_request_id=1,abc",
    ],
)
def test_bad_filters_answer_400_in_the_spec_format(cd: Any, query: str) -> None:
    response = Client().get(f"{BASE}/requests.json{query}")
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and error["description"]
    root = xml(Client().get(f"{BASE}/requests.xml{query}"))
    assert root.tag == "errors" and root.find("error").findtext("code") == "400"


def test_bad_posts_answer_400(cd: Any, api_key: str) -> None:
    unknown = post_request(api_key, service_code="ZZ99")
    assert unknown.status_code == 400 and unknown.json()[0]["description"].startswith("service_code")
    address_only = post_request(api_key, lat=None, long=None, address_string="示例路1号")
    assert address_only.status_code == 400 and "lat" in address_only.json()[0]["description"]
    outside = post_request(api_key, lat=30.0, long=100.0)
    assert outside.status_code == 400 and outside.json()[0]["description"].startswith("lat/long")
    not_a_number = post_request(api_key, lat="north")
    assert not_a_number.status_code == 400
    no_code = post_request(api_key, service_code="")
    assert no_code.status_code == 400
    assert Case.objects.count() == 0


def test_unknown_format_and_method(cd: Any) -> None:
    response = Client().get(f"{BASE}/services.yaml")
    assert response.status_code == 404 and response.json()[0]["code"] == 404
    wrong = Client().post(f"{BASE}/services.json")
    assert wrong.status_code == 405 and wrong.json()[0]["code"] == 405
    assert Client().get(f"{BASE}/requests/abc.json").status_code == 404
    assert Client().get(f"{BASE}/tokens/NOSUCHTOKEN23.json").status_code == 404

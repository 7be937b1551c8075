"""The public board (Open311's public GET of requests) shows category, status, the grid and dates,
never what the resident wrote; a moderator's published text is its only description. Publishing
is a service (cases.publish at the case's grid, scoped, audited) behind a page form and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from gridwork.api.tests.conftest import API, session_client
from gridwork.cases import services
from gridwork.cases.models import Case
from gridwork.cases.tests.test_open311 import BASE, api_key, post_request, xml  # noqa: F401 - fixture
from gridwork.conftest import District
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.web.tests.helpers import assert_login_redirect

RESIDENT_WORDS = "楼下王建国家门口堆放建筑垃圾"
PUBLIC = "人行道上的建筑垃圾已安排清运"


@pytest.fixture
def reported(cd: District, api_key: str) -> Case:  # noqa: F811 - the fixture imported above
    response = post_request(api_key, description=RESIDENT_WORDS, first_name="建国", last_name="王")
    assert response.status_code == 201, response.content
    return Case.objects.get(pk=int(response.json()[0]["service_request_id"]))


def _board(case: Case) -> tuple[dict[str, Any], str]:
    rows = Client().get(f"{BASE}/requests.json").json()
    row = next(r for r in rows if r["service_request_id"] == str(case.pk))
    body = Client().get(f"{BASE}/requests.xml").content.decode()
    detail = Client().get(f"{BASE}/requests/{case.pk}.json").content.decode()
    return row, body + detail + json.dumps(rows, ensure_ascii=False)


def test_the_board_never_shows_the_residents_words(reported: Case) -> None:
    row, everything = _board(reported)
    assert row["description"] == "" and row["media_url"] == ""
    assert row["address"] == reported.grid.name
    for words in (RESIDENT_WORDS, "王建国", "建国", "13812345678", "photo.jpg"):
        assert words not in everything


def test_a_published_text_is_the_boards_description(cd: District, reported: Case) -> None:
    services.publish_public_text(cd.users["centre_a"], reported.pk, f"  {PUBLIC}  ")
    row, everything = _board(reported)
    assert row["description"] == PUBLIC
    assert RESIDENT_WORDS not in everything
    root = xml(Client().get(f"{BASE}/requests/{reported.pk}.xml"))
    assert root.find("request").findtext("description") == PUBLIC
    event = AuditEvent.objects.filter(action="update", object_id=str(reported.pk)).latest("pk")
    assert event.actor_label == "centre_a"
    assert event.detail["what"] == "public text" and event.detail["published"] is True
    assert PUBLIC not in json.dumps(event.detail, ensure_ascii=False)
    # An empty text takes it back.
    services.publish_public_text(cd.users["centre_a"], reported.pk, "")
    assert _board(reported)[0]["description"] == ""
    assert Case.objects.get(pk=reported.pk).public_text_at is None


def test_who_may_publish(cd: District, reported: Case) -> None:
    for who in ("nobody", "member_a1", "worker_a1", "department", "auditor", "admin"):
        with pytest.raises((PermissionDenied, NotFound)):
            services.publish_public_text(cd.users[who], reported.pk, PUBLIC)
    for who in ("centre_b", "street_b", "worker_b1"):  # another community or street: as if missing
        with pytest.raises(NotFound):
            services.publish_public_text(cd.users[who], reported.pk, PUBLIC)
    for who in ("centre_a", "street_a", "district"):
        services.publish_public_text(cd.users[who], reported.pk, f"{PUBLIC} ({who})")
        assert Case.objects.get(pk=reported.pk).public_text == f"{PUBLIC} ({who})"


@pytest.mark.parametrize(
    "text",
    ["请联系13812345678", "身份证110112198001011234", "x" * 501, "控制\x00字符"],
)
def test_a_public_text_with_a_number_or_too_long_is_refused(cd: District, reported: Case, text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.publish_public_text(cd.users["centre_a"], reported.pk, text)
    assert "text" in refused.value.message_dict
    assert Case.objects.get(pk=reported.pk).public_text == ""
    assert not AuditEvent.objects.filter(action="update", detail__what="public text").exists()


def test_the_page_form_ladder(cd: District, reported: Case) -> None:
    url = f"/cases/{reported.pk}/public-text/"
    assert_login_redirect(cd.client(None).post(url, {"public_text": PUBLIC}))
    assert cd.client("nobody").post(url, {"public_text": PUBLIC}).status_code == 403
    assert cd.client("worker_a1").post(url, {"public_text": PUBLIC}).status_code == 403
    assert cd.client("centre_b").post(url, {"public_text": PUBLIC}).status_code == 404
    assert Case.objects.get(pk=reported.pk).public_text == ""
    client = cd.client("centre_a")
    page = client.get(f"/cases/{reported.pk}/").content.decode()
    assert 'name="public_text"' in page and 'for="id_public_text"' in page
    assert 'name="public_text"' not in cd.client("worker_a1").get(f"/cases/{reported.pk}/").content.decode()
    refused = client.post(url, {"public_text": "请拨打13812345678"})
    assert refused.status_code == 400 and "13812345678" not in refused.content.decode()
    saved = client.post(url, {"public_text": PUBLIC})
    assert saved.status_code == 302 and saved["Location"] == f"/cases/{reported.pk}/"
    assert Case.objects.get(pk=reported.pk).public_text == PUBLIC
    assert client.get(url).status_code == 405


def test_the_api_ladder(cd: District, reported: Case) -> None:
    url = f"{API}/cases/{reported.pk}/public-text"

    def post(who: str | None, text: str = PUBLIC) -> Any:
        return session_client(cd, who).post(url, {"text": text}, content_type="application/json")

    assert post(None).status_code == 401
    assert post("nobody").status_code in (403, 404)
    assert post("worker_a1").status_code == 403
    assert post("centre_b").status_code == 404
    assert post("centre_a", "请拨打13812345678").status_code == 422
    answer = post("centre_a")
    assert answer.status_code == 200 and answer.json()["public_text"] == PUBLIC
    assert _board(reported)[0]["description"] == PUBLIC

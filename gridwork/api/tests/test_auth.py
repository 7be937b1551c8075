"""Bearer tokens, sessions with CSRF, /me, and the open schema and docs page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from gridwork.accounts.models import ApiToken
from gridwork.accounts.services import issue_token
from gridwork.api.tests.conftest import API, session_client, token_client
from gridwork.conftest import GRID_A1, District, verify_second_factor
from gridwork.core.system import SYSTEM


def test_token_auth_sets_the_user(district: District) -> None:
    response = token_client(district.users["worker_a1"]).get(f"{API}/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "worker_a1"
    assert body["roles"][0]["role"] == "grid_worker"
    assert body["roles"][0]["area"] == GRID_A1
    assert body["capabilities"]["register.view"] == [GRID_A1]
    assert "accounts.manage" not in body["capabilities"]


def test_me_for_a_user_without_roles(district: District) -> None:
    body = session_client(district, "nobody").get(f"{API}/me").json()
    assert body == {"username": "nobody", "display_name": "nobody", "roles": [], "capabilities": {}}


def test_anonymous_gets_401(district: District) -> None:
    response = Client().get(f"{API}/me")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_revoked_expired_and_garbage_tokens_get_401(district: District) -> None:
    user = district.users["worker_a1"]
    revoked = issue_token(SYSTEM, user, "revoked")
    ApiToken.objects.filter(prefix=revoked[3:11]).update(revoked=True)
    expired = issue_token(SYSTEM, user, "expired")
    ApiToken.objects.filter(prefix=expired[3:11]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    for header in (
        f"Bearer {revoked}",
        f"Bearer {expired}",
        "Bearer gw_not-a-real-token",
        "Bearer garbage",
        "Bearer ",
        "Basic d29ya2VyX2ExOnBhc3M=",
    ):
        response = Client(headers={"Authorization": header}).get(f"{API}/persons")
        assert response.status_code == 401, header


def test_token_of_an_inactive_user_gets_401(district: District) -> None:
    user = district.users["worker_a1"]
    client = token_client(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(f"{API}/me").status_code == 401


def test_token_wins_over_a_session_of_someone_else(district: District) -> None:
    raw = issue_token(SYSTEM, district.users["worker_a1"], "app")
    client = session_client(district, "worker_b1", Authorization=f"Bearer {raw}")
    assert client.get(f"{API}/me").json()["username"] == "worker_a1"


def test_session_auth_works(district: District) -> None:
    response = session_client(district, "worker_a1").get(f"{API}/persons")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def _csrf_client(district: District, who: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(district.users[who])
    verify_second_factor(client, district.users[who])
    return client


def test_session_post_without_csrf_is_refused(district: District) -> None:
    person = district.people[GRID_A1]
    client = _csrf_client(district, "worker_a1")
    response = client.post(
        f"{API}/persons/{person.pk}/reveal", {"reason": "home visit today"}, content_type="application/json"
    )
    assert response.status_code == 403
    response = client.patch(f"{API}/persons/{person.pk}", {"work": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_session_post_with_csrf_token_is_accepted(district: District) -> None:
    person = district.people[GRID_A1]
    client = _csrf_client(district, "worker_a1")
    secret = "a" * 32  # an unmasked CSRF secret is accepted when it matches the cookie
    client.cookies["csrftoken"] = secret
    response = client.post(
        f"{API}/persons/{person.pk}/reveal",
        {"reason": "home visit today"},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert response.status_code == 200


def test_token_post_needs_no_csrf(district: District, settings: Any) -> None:
    settings.OTP_REQUIRED = False  # a token never verified a second factor (test_second_factor.py)
    person = district.people[GRID_A1]
    raw = issue_token(SYSTEM, district.users["worker_a1"], "app")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    response = client.post(
        f"{API}/persons/{person.pk}/reveal", {"reason": "home visit today"}, content_type="application/json"
    )
    assert response.status_code == 200


def test_anonymous_post_gets_401_not_a_csrf_error(district: District) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{API}/persons", {"name": "x", "id_number": "y"}, content_type="application/json")
    assert response.status_code == 401


def test_openapi_schema_and_docs_are_open(db: None) -> None:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert f"{API}/persons/{{person_id}}/reveal" in schema["paths"]
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    # Masked fields only: the person schema has no raw ID number or phone.
    person = schema["components"]["schemas"]["PersonDetailOut"]["properties"]
    assert "id_number_masked" in person and "id_number" not in person and "phone" not in person
    docs = Client().get(f"{API}/docs")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert b"cdn." not in docs.content  # the Swagger UI is served locally, usable offline
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200

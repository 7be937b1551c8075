"""The roles of a bearer-token user kept in the process by roles_version: one query fewer per
request, and a grant or revoke effective at the very next request. These tests commit (no
wrapping transaction), because the roles are kept only outside a transaction."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gridwork.accounts import access, services
from gridwork.accounts.models import Role
from gridwork.api.tests.conftest import API, token_client
from gridwork.conftest import GRID_A2, District
from gridwork.core.system import SYSTEM

# serialized_rollback: the flush after each test would otherwise drop the seeded key groups.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _empty_process_roles() -> None:
    access._PROCESS_ROLES.clear()


def _role_reads(client, path: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as seen:
        status = client.get(path).status_code
    return status, sum("accounts_roleassignment" in q["sql"] for q in seen.captured_queries)


def test_roles_are_read_once_then_kept(district: District) -> None:
    client = token_client(district.users["worker_a1"])
    assert _role_reads(client, f"{API}/me") == (200, 1)
    assert _role_reads(client, f"{API}/me") == (200, 0)
    assert client.get(f"{API}/me").json()["roles"][0]["role"] == "grid_worker"


def test_a_grant_and_a_revoke_take_effect_at_the_next_request(district: District) -> None:
    worker = district.users["worker_a1"]
    other_grid_person = district.people[GRID_A2].pk
    client = token_client(worker)
    assert client.get(f"{API}/persons/{other_grid_person}").status_code == 404
    assert client.get(f"{API}/persons/{other_grid_person}").status_code == 404  # kept, still right
    assignment = services.grant_role(SYSTEM, worker, Role.GRID_WORKER, GRID_A2)
    assert client.get(f"{API}/persons/{other_grid_person}").status_code == 200
    assert client.get(f"{API}/persons/{other_grid_person}").status_code == 200
    services.revoke_role(SYSTEM, assignment.pk)
    assert client.get(f"{API}/persons/{other_grid_person}").status_code == 404


def test_nothing_is_kept_from_inside_a_transaction(district: District) -> None:
    worker = district.users["worker_a1"]
    with transaction.atomic():
        worker.refresh_from_db()
        setattr(worker, access.FRESH_ROW_ATTR, True)
        assert access.scope_codes(worker, access.REGISTER_VIEW)
    assert access._PROCESS_ROLES == {}


def test_a_session_user_is_not_kept_in_the_process(district: District) -> None:
    client = token_client(district.users["worker_a1"])
    client.force_login(district.users["worker_a2"])
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    client.headers = {}
    assert client.get(f"{API}/me").json()["username"] == "worker_a2"
    assert access._PROCESS_ROLES == {}

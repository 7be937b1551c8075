"""API tokens: issued once, stored as a hash, acting with one role, expiring by default, revocable
(service, admin action, command), refused when revoked, expired or the user is off, use logged."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts import services
from gridwork.accounts.models import ApiToken, Role, User
from gridwork.accounts.services import issue_token, revoke_token, user_for_token
from gridwork.conftest import GRID_A1, GRID_A2, STREET_A, District
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.core.system import SYSTEM

API = "/api/v1"


def test_issue_and_use(district: District) -> None:
    worker = district.users["worker_a1"]
    raw = issue_token(worker, worker, "phone app")
    assert raw.startswith("gw_") and len(raw) > 40
    token = ApiToken.objects.get(user=worker)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (token.key_hash, token.prefix, token.name)
    assert (token.assignment.role, token.assignment.area_id) == (Role.GRID_WORKER, GRID_A1)
    assert user_for_token(raw) == worker
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert AuditEvent.objects.filter(action="token", actor=worker).exists()
    assert raw not in str(AuditEvent.objects.get(action="token").detail)


def test_a_token_expires_by_default_and_never_lasts_past_a_year(district: District, settings: Any) -> None:
    settings.API_TOKEN_DAYS = 90
    worker = district.users["worker_a1"]
    issue_token(worker, worker, "default")
    expires = ApiToken.objects.get(name="default").expires_at
    assert timezone.now() + dt.timedelta(days=89) < expires < timezone.now() + dt.timedelta(days=91)
    for days in (0, -1, 367):
        with pytest.raises(ValidationError):
            issue_token(worker, worker, "forever", days=days)
    assert not ApiToken.objects.filter(name="forever").exists()


@pytest.mark.parametrize("raw", ["", "gw_", "gw_not-a-token", "Bearer x", "x" * 50])
def test_unknown_tokens(district: District, raw: str) -> None:
    assert user_for_token(raw) is None


def test_revoked_expired_and_inactive_are_refused(district: District) -> None:
    worker = district.users["worker_a1"]
    revoked, expired, inactive = (issue_token(worker, worker, name) for name in ("a", "b", "c"))
    revoke_token(worker, ApiToken.objects.get(name="a").pk)
    ApiToken.objects.filter(name="b").update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert user_for_token(revoked) is None
    assert user_for_token(expired) is None
    assert user_for_token(inactive) == worker
    for raw in (revoked, expired):
        assert Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/me").status_code == 401
    User.objects.filter(pk=worker.pk).update(is_active=False)
    assert user_for_token(inactive) is None


def test_a_token_only_for_oneself_even_for_sysadmin(district: District) -> None:
    for actor in ("worker_a1", "district", "admin"):
        with pytest.raises(PermissionDenied):
            issue_token(district.users[actor], district.users["worker_a2"], "not mine")
    assert not ApiToken.objects.exists()
    raw = issue_token(district.users["worker_a2"], district.users["worker_a2"], "for an app")
    assert user_for_token(raw) == district.users["worker_a2"]


def test_a_token_scoped_to_a_grid_cannot_read_another_area_its_user_could(district: District) -> None:
    worker = district.users["worker_a1"]
    street = services.grant_role(SYSTEM, worker, Role.STREET_STAFF, STREET_A)
    grid = worker.roles.get(role=Role.GRID_WORKER)
    with pytest.raises(ValidationError):  # two roles: the token must say which one it acts with
        issue_token(worker, worker, "which one?")
    other = district.people[GRID_A2].pk
    by_session = district.client("worker_a1")
    assert by_session.get(f"{API}/persons/{other}").status_code == 200  # the street role reaches A2
    grid_token = issue_token(worker, worker, "grid app", assignment_id=grid.pk)
    client = Client(headers={"Authorization": f"Bearer {grid_token}"})
    assert client.get(f"{API}/persons/{other}").status_code == 404
    assert client.get(f"{API}/persons/{district.people[GRID_A1].pk}").status_code == 200
    assert client.get(f"{API}/persons").json()["count"] == 1
    street_token = issue_token(worker, worker, "street app", assignment_id=street.pk)
    assert (
        Client(headers={"Authorization": f"Bearer {street_token}"}).get(f"{API}/persons/{other}").status_code
        == 200
    )
    with pytest.raises(ValidationError):  # a role of someone else is not the user's to use
        issue_token(worker, worker, "borrowed", assignment_id=district.users["worker_b1"].roles.get().pk)


def test_revoking_the_role_ends_its_tokens(district: District) -> None:
    worker = district.users["worker_a1"]
    raw = issue_token(worker, worker, "app")
    services.revoke_role(SYSTEM, worker.roles.get().pk)
    assert user_for_token(raw) is None


def test_use_is_logged_at_most_once_per_period(district: District, settings: Any) -> None:
    settings.API_TOKEN_AUDIT_MINUTES = 60
    worker = district.users["worker_a1"]
    raw = issue_token(worker, worker, "app")
    uses = AuditEvent.objects.filter(action="token_use", actor=worker)
    for _ in range(3):
        assert user_for_token(raw) == worker
        ApiToken.objects.update(last_used_at=timezone.now() - dt.timedelta(minutes=2))
    assert uses.count() == 1  # three uses in an hour: one entry
    assert uses.get().object_id == str(ApiToken.objects.get().pk)
    ApiToken.objects.update(use_logged_at=timezone.now() - dt.timedelta(minutes=61))
    user_for_token(raw)
    assert uses.count() == 2


def test_revocation_by_owner_manager_and_nobody_else(district: District) -> None:
    worker = district.users["worker_a1"]
    issue_token(worker, worker, "app")
    token = ApiToken.objects.get()
    with pytest.raises(NotFound):
        revoke_token(district.users["worker_a2"], token.pk)
    revoke_token(district.users["admin"], token.pk)
    token.refresh_from_db()
    assert token.revoked and token.revoked_at is not None
    event = AuditEvent.objects.get(action="token_revoke")
    assert (event.actor, event.object_id) == (district.users["admin"], str(token.pk))


def test_revoke_from_the_admin(district: District) -> None:
    worker = district.users["worker_a1"]
    raw = issue_token(worker, worker, "app")
    changelist = reverse("admin:accounts_apitoken_changelist")
    assert district.client("worker_a1").get(changelist).status_code in (302, 403)
    admin = district.client("admin")
    assert admin.get(changelist).status_code == 200
    response = admin.post(
        changelist, {"action": "revoke_selected", "_selected_action": [str(ApiToken.objects.get().pk)]}
    )
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked and user_for_token(raw) is None


def test_the_commands_issue_with_a_role_and_revoke(district: District) -> None:
    worker = district.users["worker_a1"]
    services.grant_role(SYSTEM, worker, Role.STREET_STAFF, STREET_A)
    with pytest.raises(CommandError):
        call_command("token", "worker_a1", "app", stdout=StringIO())
    out = StringIO()
    call_command("token", "worker_a1", "app", "--role", Role.GRID_WORKER, stdout=out)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.assignment.role == Role.GRID_WORKER and user_for_token(raw) == worker
    out = StringIO()
    call_command("token_revoke", token.prefix, stdout=out)
    assert "Revoked" in out.getvalue() and user_for_token(raw) is None

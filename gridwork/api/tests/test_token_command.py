"""`gridwork token USERNAME NAME [--days N]`."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gridwork.accounts.models import ApiToken
from gridwork.api.tests.conftest import API
from gridwork.conftest import District
from gridwork.core.models import AuditEvent


def _issue(*args: str) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().strip()


def test_token_command_prints_a_working_token(district: District, client: object) -> None:
    raw = _issue("worker_a1", "field app", "--days", "30")
    assert raw.startswith("gw_")
    token = ApiToken.objects.get(prefix=raw[3:11])
    assert token.name == "field app" and token.key_hash != raw
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    event = AuditEvent.objects.get(action=AuditEvent.Action.TOKEN, object_id=str(token.pk))
    assert event.actor_label == "system"
    response = client.get(f"{API}/me", headers={"Authorization": f"Bearer {raw}"})  # type: ignore[attr-defined]
    assert response.json()["username"] == "worker_a1"


def test_token_without_expiry_is_refused(district: District) -> None:
    with pytest.raises(CommandError):
        _issue("worker_a1", "kiosk", "--days", "0")
    assert not ApiToken.objects.exists()


def test_token_for_an_unknown_user_fails(db: None) -> None:
    with pytest.raises(CommandError):
        _issue("no-such-user", "app")

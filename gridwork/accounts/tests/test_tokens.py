"""API tokens: issued once, stored as a hash, refused when revoked, expired or the user is off."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gridwork.accounts.models import ApiToken, User
from gridwork.accounts.services import issue_token, user_for_token
from gridwork.conftest import District
from gridwork.core.models import AuditEvent


def test_issue_and_use(district: District) -> None:
    worker = district.users["worker_a1"]
    raw = issue_token(worker, worker, "phone app")
    assert raw.startswith("gw_") and len(raw) > 40
    token = ApiToken.objects.get(user=worker)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (token.key_hash, token.prefix, token.name)
    assert token.expires_at > timezone.now() + dt.timedelta(days=364)
    assert user_for_token(raw) == worker
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert AuditEvent.objects.filter(action="token", actor=worker).exists()
    assert raw not in str(AuditEvent.objects.get(action="token").detail)


@pytest.mark.parametrize("raw", ["", "gw_", "gw_not-a-token", "Bearer x", "x" * 50])
def test_unknown_tokens(district: District, raw: str) -> None:
    assert user_for_token(raw) is None


def test_revoked_expired_and_inactive_are_refused(district: District) -> None:
    worker = district.users["worker_a1"]
    revoked, expired, inactive = (issue_token(worker, worker, name) for name in ("a", "b", "c"))
    ApiToken.objects.filter(name="a").update(revoked=True)
    ApiToken.objects.filter(name="b").update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert user_for_token(revoked) is None
    assert user_for_token(expired) is None
    assert user_for_token(inactive) == worker
    User.objects.filter(pk=worker.pk).update(is_active=False)
    assert user_for_token(inactive) is None


def test_tokens_without_expiry(district: District) -> None:
    worker = district.users["worker_a1"]
    raw = issue_token(worker, worker, "kiosk", days=None)
    assert ApiToken.objects.get(name="kiosk").expires_at is None
    assert user_for_token(raw) == worker


def test_a_token_only_for_oneself_even_for_sysadmin(district: District) -> None:
    for actor in ("worker_a1", "district", "admin"):
        with pytest.raises(PermissionDenied):
            issue_token(district.users[actor], district.users["worker_a2"], "not mine")
    assert not ApiToken.objects.exists()
    raw = issue_token(district.users["worker_a2"], district.users["worker_a2"], "for an app")
    assert user_for_token(raw) == district.users["worker_a2"]

"""Password login: lockout after repeated failures (even the right password is refused while locked),
and every login, failed login and lockout in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.conftest import PASSWORD, District
from gridwork.core.models import AuditEvent


@pytest.fixture(autouse=True)
def _three_strikes(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15


def test_lockout_after_max_failures_then_reset(district: District) -> None:
    assert authenticate(username="worker_a1", password="wrong-1") is None
    assert authenticate(username="worker_a1", password="wrong-2") is None
    user = User.objects.get(username="worker_a1")
    assert (user.failed_logins, user.locked_until) == (2, None)
    assert authenticate(username="worker_a1", password="wrong-3") is None
    user.refresh_from_db()
    assert user.is_locked()
    assert user.locked_until > timezone.now() + dt.timedelta(minutes=14)
    # Locked: the right password is refused too.
    assert authenticate(username="worker_a1", password=PASSWORD) is None
    assert not Client().login(username="worker_a1", password=PASSWORD)
    # Once the lock has passed, the right password works and the counters start again.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert authenticate(username="worker_a1", password=PASSWORD) == user
    user.refresh_from_db()
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_success_resets_the_failure_count(district: District) -> None:
    authenticate(username="street_a", password="wrong")
    authenticate(username="street_a", password="wrong")
    assert authenticate(username="street_a", password=PASSWORD) is not None
    authenticate(username="street_a", password="wrong")
    authenticate(username="street_a", password="wrong")
    assert not User.objects.get(username="street_a").is_locked()


def test_logins_failures_and_lockouts_are_audited(district: District) -> None:
    client = Client()
    assert client.login(username="centre_a", password=PASSWORD)
    user = district.users["centre_a"]
    login = AuditEvent.objects.get(action="login")
    assert (login.actor, login.actor_label, login.object_id) == (user, "centre_a", str(user.pk))
    client.logout()
    assert AuditEvent.objects.filter(action="logout", actor=user).exists()
    for _ in range(3):
        assert not client.login(username="centre_a", password="not-it")
    failed = AuditEvent.objects.filter(action="login_failed")
    assert failed.count() == 3
    assert {e.actor_label for e in failed} == {"centre_a"}
    assert all(e.actor is None for e in failed)  # a failed login has no proven actor
    assert AuditEvent.objects.filter(action="login_locked", actor_label="centre_a").count() == 1
    assert not client.login(username="centre_a", password=PASSWORD)
    assert AuditEvent.objects.filter(action="login_locked").count() == 2
    # No password is ever written to the log.
    assert not AuditEvent.objects.filter(detail__icontains="not-it").exists()
    assert not AuditEvent.objects.filter(reason__icontains="not-it").exists()


def test_unknown_and_inactive_users(district: District) -> None:
    assert authenticate(username="no-such-user", password="x") is None
    assert AuditEvent.objects.filter(action="login_failed", actor_label="no-such-user").exists()
    User.objects.filter(username="worker_b1").update(is_active=False)
    assert authenticate(username="worker_b1", password=PASSWORD) is None

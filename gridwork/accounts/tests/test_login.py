"""Password login: Argon2 by default, the throttle per account at an address, per account from new
addresses and per address, one answer for every failure, and every attempt in the audit log."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import gridwork.settings as production_settings
from gridwork.accounts.models import LoginThrottle, User
from gridwork.accounts.tests.login_helpers import ATTACKER, OWNER, attempt, fail_logins, refused
from gridwork.conftest import PASSWORD, District
from gridwork.core.models import AuditEvent


@pytest.fixture(autouse=True)
def _small_limits(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 6
    settings.LOGIN_ADDRESS_MAX_FAILURES = 8
    settings.LOGIN_DELAY_SECONDS = 30
    settings.LOGIN_LOCKOUT_MINUTES = 15


def test_argon2_is_the_production_hasher_and_older_hashes_are_upgraded(
    district: District, settings: Any
) -> None:
    # The suite hashes with MD5 for speed (gridwork/conftest.py); the production settings do not.
    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production_settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    worker = district.users["worker_a1"]
    User.objects.filter(pk=worker.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert attempt("worker_a1", PASSWORD) == worker  # the old hash still opens the account...
    assert User.objects.get(pk=worker.pk).password.startswith("argon2$")  # ...and is replaced


def test_someone_elses_lockout_from_one_address_does_not_stop_them_at_theirs(district: District) -> None:
    fail_logins("worker_a1", 3, ATTACKER)
    assert refused("worker_a1", ATTACKER)  # the attacker's address is refused even the right password
    assert not refused("worker_a1", OWNER)  # the owner, elsewhere, signs in


def test_many_addresses_slow_an_account_for_new_addresses_only(district: District) -> None:
    assert not refused("worker_a1", OWNER)  # the owner's address is known from this login
    for n in range(6):  # two failures each from three addresses: under every pair's limit
        fail_logins("worker_a1", 1, f"203.0.113.{10 + n // 2}")
    assert refused("worker_a1", "203.0.113.99")  # a new address waits
    assert not refused("worker_a1", OWNER)  # the known address does not


def test_one_address_trying_many_usernames_is_refused(district: District) -> None:
    for n in range(8):
        fail_logins(f"guess-{n}", 1, ATTACKER)
    assert refused("street_a", ATTACKER)
    assert not refused("street_a", OWNER)


def test_the_refusal_grows_with_each_failure_up_to_the_cap(district: District, settings: Any) -> None:
    settings.LOGIN_ACCOUNT_MAX_FAILURES = settings.LOGIN_ADDRESS_MAX_FAILURES = 100
    fail_logins("worker_a1", 3, ATTACKER)
    pair = LoginThrottle.objects.get(kind="pair")
    lengths = []
    for _ in range(8):
        pair.refresh_from_db()
        lengths.append(round((pair.blocked_until - pair.last_failure_at).total_seconds()))
        # Wait the refusal out (moved into the past), then fail again.
        LoginThrottle.objects.filter(pk=pair.pk).update(
            blocked_until=timezone.now() - dt.timedelta(seconds=1)
        )
        fail_logins("worker_a1", 1, ATTACKER)
    assert lengths == [30, 60, 120, 240, 480, 900, 900, 900]
    # A success at a known address starts the account's count again.
    LoginThrottle.objects.filter(pk=pair.pk).update(blocked_until=None)
    assert not refused("worker_a1", ATTACKER)
    pair.refresh_from_db()
    assert (pair.failures, pair.blocked_until) == (0, None) and pair.succeeded_at is not None


def test_the_throttle_table_names_no_username_or_address(district: District) -> None:
    fail_logins("worker_a1", 2, ATTACKER)
    stored = " ".join(f"{t.key} {t.account}" for t in LoginThrottle.objects.all())
    assert "worker_a1" not in stored and ATTACKER not in stored
    assert LoginThrottle.objects.count() == 3


class CountingHasher(MD5PasswordHasher):
    """Counts the password hashes computed: each failure should cost one, whatever its kind."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


def _login_answer(client: Client, username: str, password: str) -> tuple[int, str, int]:
    CountingHasher.calls = 0
    response = client.post(reverse("web:login"), {"username": username, "password": password})
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", body)
    body = body.replace(f'value="{username}"', 'value="?"')  # the username typed is echoed back
    return response.status_code, body, CountingHasher.calls


def test_every_failure_is_answered_alike(district: District, settings: Any) -> None:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    User.objects.filter(username="worker_a1").update(password=make_password(PASSWORD))
    client = Client(REMOTE_ADDR=ATTACKER)
    unknown = _login_answer(client, "no-such-user", "wrong-password")
    known = _login_answer(client, "worker_a1", "wrong-password")
    fail_logins("worker_a1", 2, ATTACKER)
    locked = _login_answer(client, "worker_a1", PASSWORD)  # refused, with the right password
    assert unknown == known == locked
    status, body, hashes = known
    assert status == 200 and hashes == 1  # one hash each: the time does not tell them apart either
    assert "Signing in did not work" in body or "登录没有成功" in body
    assert not Client(REMOTE_ADDR=OWNER).get(reverse("web:home")).wsgi_request.user.is_authenticated


def test_attempts_are_audited_masked(district: District) -> None:
    client = Client()
    assert client.login(username="centre_a", password=PASSWORD)
    user = district.users["centre_a"]
    login = AuditEvent.objects.get(action="login")
    assert (login.actor, login.actor_label, login.object_id) == (user, "centre_a", str(user.pk))
    client.logout()
    assert AuditEvent.objects.filter(action="logout", actor=user).exists()
    fail_logins("centre_a", 3, ATTACKER)
    failed = AuditEvent.objects.filter(action="login_failed")
    assert failed.count() == 3
    assert {(e.actor_label, e.object_id, e.ip) for e in failed} == {("centre_a", str(user.pk), None)}
    assert all(e.actor is None for e in failed)  # a failed login has no proven actor
    assert failed.first().detail == {"refused_from_now": ["pair"]}
    assert refused("centre_a", ATTACKER)
    assert AuditEvent.objects.get(action="login_locked").detail == {"refused_by": ["pair"]}
    # An unknown "username" may be a password typed in the wrong field: only a hint is kept.
    attempt("Tr0ub4dor&3", "x")
    assert AuditEvent.objects.filter(action="login_failed").first().actor_label == "T…(11)"
    # No password is ever written to the log.
    for secret in ("wrong-0", "Tr0ub4dor", PASSWORD):
        assert not AuditEvent.objects.filter(detail__icontains=secret).exists()
        assert not AuditEvent.objects.filter(actor_label__icontains=secret).exists()


def test_inactive_users_are_refused(district: District) -> None:
    User.objects.filter(username="worker_b1").update(is_active=False)
    assert attempt("worker_b1", PASSWORD) is None

"""The client's address behind reverse proxies (TRUSTED_PROXY_COUNT): read from X-Forwarded-For
only as far as the trusted proxies wrote it, so the per-address login limit counts clients, not the
proxy, and a client cannot dodge it by writing the header itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory

from gridwork.conftest import PASSWORD, District
from gridwork.core.client_address import client_address
from gridwork.core.models import AuditEvent

PROXY = "10.0.0.5"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


@pytest.fixture(autouse=True)
def _small_limits(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 50
    settings.LOGIN_ADDRESS_MAX_FAILURES = 4


def _request(forwarded: str | None = None, remote: str = PROXY) -> Any:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/login/", REMOTE_ADDR=remote, **extra)


def _attempt(username: str, password: str, forwarded: str | None, remote: str = PROXY) -> Any:
    return authenticate(_request(forwarded, remote), username=username, password=password)


def test_without_trusted_proxies_the_header_is_never_read(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("1.2.3.4", remote=ATTACKER)) == ATTACKER


def test_the_entry_written_by_the_trusted_proxies(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(OWNER)) == OWNER
    # A client's own header comes first; the proxy appends what it saw: the last entry counts.
    assert client_address(_request(f"1.2.3.4, {ATTACKER}")) == ATTACKER
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request(f"1.2.3.4, {ATTACKER}, 10.0.0.9")) == ATTACKER
    # Fewer entries than proxies, none at all, or something that is not an address: the sender.
    assert client_address(_request(ATTACKER)) == PROXY
    assert client_address(_request()) == PROXY
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request("not-an-address")) == PROXY


def test_one_client_behind_the_proxy_does_not_slow_down_another(district: District, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(4):  # one address guessing usernames, through the proxy
        assert _attempt(f"guess-{n}", "wrong", ATTACKER) is None
    assert _attempt("street_a", PASSWORD, ATTACKER) is None  # that address is refused
    assert _attempt("street_a", PASSWORD, OWNER) is not None  # another client through the same proxy is not


def test_a_forged_header_does_not_dodge_the_limit(district: District, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(4):  # a new made-up address in front each time; the proxy appends the real one
        assert _attempt(f"guess-{n}", "wrong", f"192.0.2.{n}, {ATTACKER}") is None
    assert _attempt("street_a", PASSWORD, f"192.0.2.200, {ATTACKER}") is None


def test_the_audit_log_records_the_clients_address(district: District, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OWNER)
    client.post("/login/", {"username": "street_a", "password": "wrong-password"})
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).latest("pk").ip == OWNER

"""Login attempts from a given address, and whether an account is refused there."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.test import RequestFactory

from gridwork.conftest import PASSWORD

ATTACKER = "203.0.113.66"  # documentation addresses (RFC 5737)
OWNER = "198.51.100.7"


def attempt(username: str, password: str, address: str = ATTACKER) -> Any:
    request = RequestFactory().post("/login/", REMOTE_ADDR=address)
    return authenticate(request, username=username, password=password)


def fail_logins(username: str, times: int, address: str = ATTACKER) -> None:
    for n in range(times):
        assert attempt(username, f"wrong-{n}", address) is None


def refused(username: str, address: str = ATTACKER) -> bool:
    """Whether the right password is refused now (a successful try resets the counters, as a login does)."""
    return attempt(username, PASSWORD, address) is None

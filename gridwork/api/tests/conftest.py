"""Helpers for the API tests: clients by user key, with a session or a bearer token."""

from __future__ import annotations

from typing import Any

from django.test import Client

from gridwork.accounts.services import issue_token
from gridwork.conftest import District, verify_second_factor
from gridwork.core.system import SYSTEM

API = "/api/v1"


def token_client(user: Any, days: int | None = 365, **headers: str) -> Client:
    raw = issue_token(SYSTEM, user, "test app", days=days)
    return Client(headers={"Authorization": f"Bearer {raw}", **headers})


def session_client(district: District, who: str | None, **headers: str) -> Client:
    client = Client(headers=headers)
    if who is not None:
        client.force_login(district.users[who])
        verify_second_factor(client, district.users[who])  # as reveals and exports need
    return client

"""Shortcuts for the cases API tests: clients by user key, reports and actions over HTTP."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gridwork.api.tests.conftest import session_client, token_client
from gridwork.cases.tests.conftest import POINTS
from gridwork.conftest import GRID_A1

API = "/api/v1"
# The actions whose note is required (a reason, a message to the resident).
NOTE_NEEDED = {
    "reject",
    "suspend",
    "return",
    "verify_fail",
    "feedback",
    "update",
    "escalate",
    "deny",
    "reopen",
    "extend",
}


def client(d: Any, who: str | None, *, token: bool = False) -> Client:
    if who is not None and token:
        return token_client(d.users[who])
    return session_client(d, who)


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def form(**fields: Any) -> dict[str, Any]:
    """Multipart fields, leaving out the ones not given."""
    return {key: value for key, value in fields.items() if value is not None}


def api_report(d: Any, who: str | None, category: str = "E0104", grid: str = GRID_A1, **fields: Any) -> Any:
    lon, lat = POINTS[grid]
    fields.setdefault("title", "乱堆物料")
    fields.setdefault("source", "patrol")
    return client(d, who).post(f"{API}/cases", form(category=category, lon=lon, lat=lat, **fields))


def api_act(d: Any, who: str | None, case_id: int, action: str, **fields: Any) -> Any:
    if action in NOTE_NEEDED or (action == "resolve" and fields.pop("emergency", False)):
        fields.setdefault("note", "理由")
    return client(d, who).post(f"{API}/cases/{case_id}/actions/{action}", form(**fields))

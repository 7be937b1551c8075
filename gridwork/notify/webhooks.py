"""Signed webhook requests: the payload of a case event, its signature and the POST itself.

The receiver checks `X-Gridwork-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by the
subscription's secret>`; `X-Gridwork-Event` names the case action, `X-Gridwork-Delivery` the delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridwork.cases.models import Case, CaseEvent

TIMEOUT_SECONDS = 5
ALLOWED_SCHEMES = frozenset({"http", "https"})


def validate_webhook_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES or not parts.hostname or len(url) > 500:
        raise ValidationError({"url": [_("Give an http:// or https:// address.")]})
    return url


def event_payload(case: Case, event: CaseEvent) -> dict[str, Any]:
    """What a subscriber learns of an event: the case's public facts, no person, no free text.

    Notes and titles are left out: they are written by people and may name people.
    """
    return {
        "event": event.action,
        "event_id": event.pk,
        "at": event.at.isoformat(),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "department": event.department,
        "case": {
            "id": case.pk,
            "tracking_code": case.tracking_code,
            "category": case.category.code,
            "track": case.track,
            "status": case.status,
            "source": case.source,
            "grid": case.grid_id,
            "lon": case.lon,
            "lat": case.lat,
            "holding_area": case.holder_area_id or "",
            "holding_department": case.holder_department,
            "step_deadline": case.step_deadline.isoformat() if case.step_deadline else None,
            "deadline": case.deadline.isoformat() if case.deadline else None,
            "overdue": case.overdue,
            "created_at": case.created_at.isoformat(),
            "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        },
    }


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class PostResult:
    ok: bool
    status: int | None
    error: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could carry the signed body elsewhere (or to another scheme): count it as a failure.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, secret: str, action: str, delivery_id: int, payload: dict[str, Any]) -> PostResult:
    validate_webhook_url(url)
    body = body_of(payload)
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Gridwork-Webhooks/1",
            "X-Gridwork-Event": action,
            "X-Gridwork-Delivery": str(delivery_id),
            "X-Gridwork-Signature": signature(secret, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        return PostResult(False, exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return PostResult(False, None, f"{type(exc).__name__}: {reason}"[:500])
    return PostResult(200 <= status < 300, status, "" if 200 <= status < 300 else f"HTTP {status}")

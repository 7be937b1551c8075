"""Signed webhooks: delivered to a local server, verifiable, retried with backoff, then failed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gridwork.api.tests.conftest import API, session_client, token_client
from gridwork.cases.tests.helpers import do, report
from gridwork.conftest import STREET_A
from gridwork.core.system import SYSTEM
from gridwork.notify import services
from gridwork.notify.models import DeliveryStatus, WebhookDelivery, WebhookSubscription


class Receiver:
    """A local HTTP endpoint that records each request and answers with `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _headers, body in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _subscribe(url: str, actions: list[str] | None = None) -> WebhookSubscription:
    return services.create_subscription(SYSTEM, name="12345 hotline", url=url, area=STREET_A, actions=actions)


def test_delivery_is_signed_and_verifiable(cd: Any, commits: Any, receiver: Receiver) -> None:
    subscription = _subscribe(receiver.url)
    with commits():
        case = report(
            cd,
            None,
            "E0104",
            source="resident",
            reporter_name="张三",
            reporter_phone="13987654321",
            title="某某家",
        )
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    expected = "sha256=" + hmac.new(subscription.secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-gridwork-signature"], expected)
    assert headers["x-gridwork-event"] == "report"
    assert headers["content-type"].startswith("application/json")
    payload = json.loads(body)
    assert payload["case"]["tracking_code"] == case.tracking_code
    assert payload["case"]["status"] == "submitted" and payload["event"] == "report"
    for secret in ("13987654321", "张三", "某某家"):
        assert secret not in body.decode()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.last_response_code == 204 and delivery.delivered_at is not None
    # A tampered body no longer matches the signature.
    forged = hmac.new(subscription.secret.encode(), body + b" ", hashlib.sha256).hexdigest()
    assert "sha256=" + forged != headers["x-gridwork-signature"]


def test_event_filter_and_area(cd: Any, commits: Any, receiver: Receiver) -> None:
    _subscribe(receiver.url, actions=["dispatch"])
    services.create_subscription(
        SYSTEM, name="other street", url=receiver.url + "/b", area="110112104", actions=[]
    )
    with commits():
        case = report(cd, "worker_a1", "E0104")
        do(cd, "centre_a", case, "accept")
        do(cd, "centre_a", case, "dispatch")
    assert [b["event"] for b in receiver.bodies()] == ["dispatch"]
    assert receiver.bodies()[0]["department"] == case.category.department


def test_a_failing_endpoint_is_retried_with_backoff_then_failed(
    cd: Any, commits: Any, receiver: Receiver
) -> None:
    receiver.status = 500
    _subscribe(receiver.url)
    with commits():
        report(cd, "worker_a1", "E0104")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_response_code == 500
    waits = []
    for _attempt in range(4):
        before = delivery.next_attempt_at
        # Not yet due: nothing is sent.
        services.attempt_delivery(delivery.pk, now=before - dt.timedelta(seconds=1))
        assert WebhookDelivery.objects.get().attempts == delivery.attempts
        previous_attempt_time = before
        delivery = services.attempt_delivery(delivery.pk, now=before)
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - previous_attempt_time)
    assert waits == [dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2)]
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 5
    assert delivery.next_attempt_at is None and "500" in delivery.last_error
    assert len(receiver.requests) == 5
    services.attempt_delivery(delivery.pk)  # a failed delivery is not sent again
    assert len(receiver.requests) == 5


def test_first_retry_waits_one_minute_and_recovery_delivers(
    cd: Any, commits: Any, receiver: Receiver
) -> None:
    receiver.status = 503
    _subscribe(receiver.url)
    with commits():
        report(cd, "worker_a1", "E0104")
    delivery = WebhookDelivery.objects.get()
    first_try = delivery.next_attempt_at - dt.timedelta(minutes=1)
    assert abs((first_try - delivery.created_at).total_seconds()) < 60
    receiver.status = 200
    delivery = services.attempt_delivery(delivery.pk, now=delivery.next_attempt_at)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2


def test_unreachable_endpoint_is_an_error_not_a_crash(cd: Any, commits: Any, receiver: Receiver) -> None:
    url = receiver.url
    receiver.server.shutdown()
    receiver.server.server_close()
    _subscribe(url)
    with commits():
        case = report(cd, "worker_a1", "E0104")
    delivery = WebhookDelivery.objects.get()
    assert case.pk and delivery.status == DeliveryStatus.PENDING and delivery.last_response_code is None
    assert delivery.last_error


def test_only_http_urls(cd: Any) -> None:
    from django.core.exceptions import ValidationError

    for bad in ("ftp://example.org/x", "file:///etc/passwd", "javascript:alert(1)", "http://", "example.org"):
        with pytest.raises(ValidationError):
            _subscribe(bad)
    with pytest.raises(ValidationError):
        _subscribe("https://example.org/hook", actions=["explode"])


LADDER = [(None, 401), ("nobody", 403), ("worker_a1", 403), ("street_a", 403), ("district", 201)]


@pytest.mark.parametrize(("who", "expected"), LADDER)
def test_webhook_api_ladder(cd: Any, who: str | None, expected: int) -> None:
    client = session_client(cd, who)
    body = {"name": "hotline", "url": "https://example.org/hook", "area": STREET_A, "actions": ["dispatch"]}
    response = client.post(f"{API}/webhooks", body, content_type="application/json")
    assert response.status_code == expected
    listing = client.get(f"{API}/webhooks")
    assert listing.status_code == (200 if expected == 201 else expected)
    if expected == 201:
        data = response.json()
        assert len(data["secret"]) >= 32 and data["actions"] == ["dispatch"]
        assert [s["id"] for s in listing.json()] == [data["id"]] and "secret" not in listing.json()[0]


def test_webhook_api_pause_and_deliveries(cd: Any) -> None:
    client = token_client(cd.users["district"])
    bad = client.post(
        f"{API}/webhooks", {"name": "x", "url": "ftp://x", "area": STREET_A}, content_type="application/json"
    )
    assert bad.status_code == 422
    created = client.post(
        f"{API}/webhooks",
        {"name": "x", "url": "https://example.org/h", "area": STREET_A},
        content_type="application/json",
    ).json()
    paused = client.patch(
        f"{API}/webhooks/{created['id']}", {"active": False}, content_type="application/json"
    )
    assert paused.status_code == 200 and paused.json()["active"] is False
    assert client.get(f"{API}/webhooks/{created['id']}/deliveries").json() == {"items": [], "count": 0}
    # Outside the caller's reach a subscription answers 404, as if it did not exist.
    other = token_client(cd.users["worker_a1"])
    assert (
        other.patch(
            f"{API}/webhooks/{created['id']}", {"active": True}, content_type="application/json"
        ).status_code
        == 404
    )
    assert other.get(f"{API}/webhooks/{created['id']}/deliveries").status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_area_code_that_names_no_area_is_refused_not_a_server_error(cd: Any) -> None:
    # Under the district's own code, so the scope check passes: the row would point at no area,
    # which the database refuses only at the commit (found by the authorization matrix).
    client = session_client(cd, "district")
    body = {"name": "x", "url": "https://example.org/h", "area": "110112001001999"}
    response = client.post(f"{API}/webhooks", body, content_type="application/json")
    assert response.status_code == 422
    assert not WebhookSubscription.objects.exists()

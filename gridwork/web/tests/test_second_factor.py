"""The TOTP second factor: enrolment from one's own page (QR code drawn as SVG here, and the secret
as text), the code asked at login once a device is enrolled, and reveals and exports refused
(sent to the code page and back) until a code is verified in the session."""

from __future__ import annotations

import base64
from typing import Any

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridwork.conftest import GRID_A1, PASSWORD, District, verify_second_factor
from gridwork.core.models import AuditEvent
from gridwork.web.tests.helpers import html

API = "/api/v1"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _reveal_url(district: District) -> tuple[str, str]:
    pk = district.people[GRID_A1].pk
    return f"/people/{pk}/", f"/people/{pk}/reveal/"


def test_a_reveal_without_a_verified_code_is_refused_and_sends_to_verify(district: District) -> None:
    page, url = _reveal_url(district)
    client = district.client("worker_a1", verified=False)
    response = client.post(url, {"reason": "入户走访核实身份"}, HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:otp_verify")) and "next=" in response.url
    assert not AuditEvent.objects.filter(action="reveal").exists()
    assert district.people[GRID_A1].id_number not in html(client.get(page))
    # No authenticator yet: the code page sends on to enrol one, keeping where to come back to.
    enrol = client.get(response.url)
    assert enrol.status_code == 302 and enrol.url.startswith(reverse("web:otp_enrol"))
    assert "people" in enrol.url


def test_an_export_without_a_verified_code_is_refused(district: District) -> None:
    export = f"/areas/{GRID_A1}/export/persons/?format=csv"
    client = district.client("worker_a1", verified=False)
    response = client.get(export)
    assert response.status_code == 302 and response.url.startswith(reverse("web:otp_verify"))
    assert not AuditEvent.objects.filter(action="export").exists()
    verify_second_factor(client, district.users["worker_a1"])
    assert client.get(export).status_code == 200


def test_enrol_then_reveal(district: District) -> None:
    page, url = _reveal_url(district)
    client = district.client("worker_a1", verified=False)
    enrol_url = f"{reverse('web:otp_enrol')}?next={page}"
    response = client.get(enrol_url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    device = TOTPDevice.objects.get(user=district.users["worker_a1"], confirmed=False)
    body = html(response)
    assert "<svg" in body and "<script" not in body.split("<main>")[1]
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in body
    assert client.get(enrol_url).context["secret"] == html(response).split('otp-secret">')[1].split("<")[0]
    wrong = client.post(reverse("web:otp_enrol"), {"code": "000000", "next": page})
    assert wrong.status_code == 400 and not TOTPDevice.objects.filter(confirmed=True).exists()
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    done = client.post(reverse("web:otp_enrol"), {"code": _code(device), "next": page})
    assert done.status_code == 302 and done.url == page
    assert TOTPDevice.objects.filter(user=district.users["worker_a1"], confirmed=True).count() == 1
    assert AuditEvent.objects.filter(action="otp_device", actor=district.users["worker_a1"]).exists()
    response = client.post(url, {"reason": "入户走访核实身份"})
    assert response.status_code == 200 and district.people[GRID_A1].id_number in html(response)


def test_a_user_with_a_device_is_asked_the_code_at_login(district: District) -> None:
    user = district.users["street_a"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    response = client.post(reverse("web:login"), {"username": "street_a", "password": PASSWORD, "next": "/"})
    assert response.status_code == 302 and response.url.startswith(reverse("web:otp_verify"))
    assert not client.get("/").wsgi_request.user.is_authenticated  # the password alone signs nobody in
    wrong = client.post(reverse("web:otp_verify"), {"code": "123456", "next": "/"})
    assert wrong.status_code == 400 and not client.get("/").wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="login_failed", detail__second_factor=True).exists()
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    before = client.cookies["sessionid"].value
    done = client.post(reverse("web:otp_verify"), {"code": _code(device), "next": "/"})
    assert done.status_code == 302 and done.url == "/"
    assert client.cookies["sessionid"].value != before
    request = client.get("/").wsgi_request
    assert request.user == user and request.user.is_verified()
    # Verified at login: a reveal needs no second code.
    page, url = _reveal_url(district)
    assert district.people[GRID_A1].id_number in html(client.post(url, {"reason": "核对户籍信息"}))


def test_the_code_page_without_a_pending_password_sends_to_login(district: District) -> None:
    response = Client().post(reverse("web:otp_verify"), {"code": "123456"})
    assert response.status_code == 302 and response.url.startswith(reverse("web:login"))


def test_api_reveals_and_exports_need_a_verified_session(district: District, settings: Any) -> None:
    person = district.people[GRID_A1].pk
    reveal = f"{API}/persons/{person}/reveal"
    export = f"{API}/exports/persons?area={GRID_A1}&format=csv"
    reason = {"reason": "核对户籍信息"}
    unverified = district.client("worker_a1", verified=False)
    assert unverified.post(reveal, reason, content_type="application/json").status_code == 403
    assert unverified.get(export).status_code == 403
    verified = district.client("worker_a1")
    assert verified.post(reveal, reason, content_type="application/json").status_code == 200
    assert verified.get(export).status_code == 200
    settings.OTP_REQUIRED = False  # switched off: a reveal needs only the permission and a reason
    assert unverified.post(reveal, reason, content_type="application/json").status_code == 200


def test_roles_that_never_reveal_or_export_are_not_asked(district: District) -> None:
    # A grid member may neither reveal nor export; its pages work without any authenticator.
    client = district.client("member_a1", verified=False)
    assert client.get(_reveal_url(district)[0]).status_code == 200
    assert not TOTPDevice.objects.exists()


def test_the_back_office_login_does_not_skip_the_code(district: District) -> None:
    TOTPDevice.objects.create(user=district.users["centre_a"], name="phone", confirmed=True)
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "centre_a", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session

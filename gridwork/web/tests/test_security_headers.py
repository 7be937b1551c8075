"""Security headers: CSP without inline code, frame denial, Permissions-Policy, no-store for
signed-in users, Secure cookies over HTTPS, and a production profile clean under `check --deploy`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from gridwork.accounts.services import issue_token
from gridwork.conftest import GRID_A1, PASSWORD
from gridwork.core.field_crypto import new_key_text
from gridwork.core.system import SYSTEM

PACKAGE = Path(__file__).resolve().parents[2]
# A <script> element without a src attribute is inline code; so is any on…= attribute.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def _templates() -> list[Path]:
    return sorted(PACKAGE.glob("*/templates/**/*.html"))


def test_no_template_has_inline_script_handler_or_style() -> None:
    found = []
    for path in _templates():
        source = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S)
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, INLINE_STYLE):
            found.extend(f"{path.relative_to(PACKAGE)}: {m.group(0)}" for m in pattern.finditer(source))
    assert len(_templates()) > 20
    assert found == []


def test_the_scan_finds_inline_code() -> None:
    # The patterns above catch what they should: a check that cannot fail proves nothing.
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/web/locate.js" data-x="1"></script>')
    assert EVENT_HANDLER.search('<button type="button" onclick="go()">')
    assert INLINE_STYLE.search('<p style="color:red">')


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/login/", "/report/", "/cases/new/", "/"])
def test_pages_carry_the_security_headers(district, path):
    response = district.client("worker_a1").get(path, follow=True)
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
    assert policy["camera"] == "(self)" and policy["geolocation"] == "(self)"
    assert policy["microphone"] == "()"


def test_case_report_page_loads_its_scripts_from_static_files(district):
    body = district.client("worker_a1").get("/cases/new/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', body)
    assert any(s.endswith("web/locate.js") for s in scripts)
    assert any(s.endswith("web/track_hint.js") for s in scripts)
    # The geolocation texts travel translated in data- attributes, not in inline code.
    assert 'data-failed="' in body and "<script>" not in body


def test_api_docs_page_policy_allows_swagger_styles_but_no_inline_script(db, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in csp["style-src"] and "data:" in csp["img-src"]
    assert not INLINE_SCRIPT.search(response.content.decode())


def test_signed_in_pages_and_api_answers_are_no_store(district):
    client = district.client("worker_a1")
    for path in (
        "/",
        f"/areas/{GRID_A1}/people/",
        "/api/v1/me",
        f"/api/v1/persons/{district.people[GRID_A1].pk}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path


def test_token_api_answers_are_no_store(district):
    token = issue_token(SYSTEM, district.users["worker_a1"], "test")
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(db, client):
    body = client.get("/login/").content.decode()
    css = re.search(r'href="(/static/[^"]+\.css)"', body).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    response.close()


def test_anonymous_answer_keeps_a_cache_control_its_view_chose(rf):
    from django.http import HttpResponse

    from gridwork.core.http_security import NoStoreMiddleware

    def view(request):
        response = HttpResponse("public")
        response["Cache-Control"] = "public, max-age=60"
        return response

    request = rf.get("/open311/v2/services.json")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert NoStoreMiddleware(view)(request)["Cache-Control"] == "public, max-age=60"
    request.user = type("Signed", (), {"is_authenticated": True})()
    assert NoStoreMiddleware(view)(request)["Cache-Control"] == "no-store"


@override_settings(SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False)
def test_cookies_are_secure_over_https_without_the_setting(district):
    client = Client(enforce_csrf_checks=False)
    response = client.post("/login/", {"username": "worker_a1", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    page = Client().get("/login/", secure=True)
    assert page.cookies["csrftoken"]["secure"] is True
    # Over plain HTTP (development) they stay as the setting says.
    plain = Client().get("/login/")
    assert not plain.cookies["csrftoken"]["secure"]


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), SECURE_HSTS_SECONDS=3600)
def test_behind_a_proxy_https_gets_secure_cookies_and_hsts(db):
    response = Client().get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.cookies["csrftoken"]["secure"] is True
    assert response["Strict-Transport-Security"].startswith("max-age=3600")
    assert "Strict-Transport-Security" not in Client().get("/login/")


def _deploy_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_COOKIES", "DATABASE_URL"}}
    env.update(
        DEPLOY="true",
        GRIDWORK_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="grid.example.org",
        CSRF_TRUSTED_ORIGINS="https://grid.example.org",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        DJANGO_SETTINGS_MODULE="gridwork.settings",
        FIELD_KEYS=new_key_text(),
        FIELD_HMAC_KEYS=new_key_text(),
    )
    env.update(extra)
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PACKAGE.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_the_production_profile(tmp_path):
    result = _check_deploy(_deploy_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_refuses_the_production_profile_without_encryption_keys(tmp_path):
    result = _check_deploy(_deploy_env(tmp_path, FIELD_KEYS="", FIELD_HMAC_KEYS=""))
    assert result.returncode != 0
    assert "gridwork.E001" in result.stderr and "gridwork.E002" in result.stderr


def test_check_deploy_fails_without_the_profile(tmp_path):
    # The same run without DEPLOY warns (no HSTS, no HTTPS redirect, cookies not Secure): the
    # clean run above is the profile's doing.
    result = _check_deploy(_deploy_env(tmp_path, DEPLOY="false"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout

"""Login with a clear message for a wrong password and for a locked account; logout by POST."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from gridwork.conftest import PASSWORD, District
from gridwork.core.models import AuditEvent
from gridwork.web.tests.helpers import html


def test_login_page_renders_for_anyone(db: object) -> None:
    response = Client().get("/login/")
    assert response.status_code == 200
    assert 'name="password"' in html(response)
    assert "htmx" in html(response)  # served from our static files, not a CDN
    assert "https://" not in html(response)


def test_login_and_logout(district: District) -> None:
    client = Client()
    response = client.post("/login/", {"username": "worker_a1", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="login", actor_label="worker_a1").exists()
    assert client.get("/logout/").status_code == 405  # a link or a prefetch cannot sign out
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_a_message(district: District) -> None:
    response = Client().post("/login/", {"username": "worker_a1", "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]
    assert response.context["form"].has_error("__all__", code="invalid_login")


def test_lockout_message_after_too_many_failures(district: District) -> None:
    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/login/", {"username": "worker_a1", "password": "wrong-password"})
    # Now even the right password is refused, with the same answer as a wrong one.
    response = client.post("/login/", {"username": "worker_a1", "password": PASSWORD})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("__all__", code="invalid_login")
    assert client.get("/").status_code == 302


def test_login_message_is_in_english_when_chosen(district: District) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.post("/login/", {"username": "worker_a1", "password": "wrong-password"})
    assert "the username or password is wrong" in html(response)

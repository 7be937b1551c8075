"""Sessions: a new key at login and after any change of the user's roles; an absolute lifetime that
ends even a busy session; the idle timeout as before."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

import gridwork.settings as production_settings
from gridwork.accounts import services
from gridwork.accounts.middleware import STARTED_KEY
from gridwork.accounts.models import Role
from gridwork.conftest import PASSWORD, STREET_A, District
from gridwork.core.system import SYSTEM

HOME = "/"


def _key(client: Client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_login_gives_a_new_session_key(district: District) -> None:
    client = Client()
    session = client.session
    session["language_seen"] = True  # an anonymous session with a key, as a visitor's would have
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    before = _key(client)
    response = client.post(reverse("web:login"), {"username": "worker_a1", "password": PASSWORD})
    assert response.status_code == 302
    assert _key(client) != before  # a key planted before the login (session fixation) is worthless
    assert client.get(HOME).wsgi_request.user == district.users["worker_a1"]


def test_a_change_of_roles_gives_a_new_session_key(district: District) -> None:
    client = district.client("worker_a1")
    assert client.get(HOME).status_code == 200
    before = _key(client)
    assert client.get(HOME).status_code == 200
    assert _key(client) == before  # nothing changed: the same key
    assignment = services.grant_role(SYSTEM, district.users["worker_a1"], Role.STREET_STAFF, STREET_A)
    response = client.get(HOME)
    assert response.status_code == 200 and response.wsgi_request.user.is_authenticated
    after_grant = _key(client)
    assert after_grant != before
    services.revoke_role(SYSTEM, assignment.pk)
    client.get(HOME)
    assert _key(client) != after_grant


def test_the_absolute_lifetime_ends_a_busy_session(district: District, settings: Any) -> None:
    settings.SESSION_MAX_HOURS = 12
    client = district.client("worker_a1")
    assert client.get(HOME).status_code == 200
    session = client.session
    session[STARTED_KEY] = int(time.time()) - 11 * 3600  # busy for eleven hours: still in
    session.save()
    assert client.get(HOME).wsgi_request.user.is_authenticated
    session = client.session
    session[STARTED_KEY] = int(time.time()) - 12 * 3600 - 1  # and a second past twelve: out
    session.save()
    response = client.get(HOME)
    assert not response.wsgi_request.user.is_authenticated
    assert response.status_code == 302 and response.url.startswith(reverse("web:login"))
    assert not client.get(HOME).wsgi_request.user.is_authenticated  # and it stays ended


def test_the_idle_timeout_and_lifetime_defaults() -> None:
    assert production_settings.SESSION_COOKIE_AGE == 30 * 60
    assert production_settings.SESSION_MAX_HOURS == 12

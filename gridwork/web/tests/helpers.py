"""Shared checks of the page tests."""

from __future__ import annotations

from django.http import HttpResponse

LOGIN_PATH = "/login/"


def assert_login_redirect(response: HttpResponse) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(LOGIN_PATH + "?next=")


def html(response: HttpResponse) -> str:
    return response.content.decode()

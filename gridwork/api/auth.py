"""The API's two ways in: a bearer token for apps, the Django session for the pages.

Both leave the user in `request.user`, so every endpoint scopes with
`Model.objects.visible_to(request.user)` whichever way the caller came in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from gridwork.accounts.services import user_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer gw_…`: a token issued by `gridwork token` or an administrator."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token.strip())
        if user is None:
            return None
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in session of the pages; unsafe methods need the CSRF token (ninja checks it).

    Unlike ninja's stock SessionAuth, a request without a signed-in session is not put through
    the CSRF check: there is no session to protect, and it should answer 401, not 403.
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


# Token first: an app sending a bearer token is never judged by a stray session cookie.
API_AUTH = [TokenAuth(), SessionAuth()]

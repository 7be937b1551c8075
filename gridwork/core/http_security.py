"""HTTP answers that keep personal data where it belongs: Secure cookies under HTTPS, no-store caching.

The other security headers come from Django's SecurityMiddleware and XFrameOptionsMiddleware,
django-csp (Content-Security-Policy) and django-permissions-policy; their settings are in
gridwork/settings.py. Static files are answered by WhiteNoise before these middlewares run, so
they keep their long caching.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

NO_STORE = "no-store"


class SecureCookiesOverHttpsMiddleware:
    """Every cookie set on an answer over HTTPS is Secure, whatever SECURE_COOKIES says.

    Django marks the session and CSRF cookies Secure only by setting; a site reached over HTTPS
    (directly, or through a proxy named by SECURE_PROXY_SSL_HEADER) must never send them in the
    clear afterwards. Placed outside the session and CSRF middleware, so it sees their cookies.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


def _signed_in(request: HttpRequest) -> bool:
    """A session user, or an API caller with credentials (the token's user is set by the API's auth)."""
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False)) or "HTTP_AUTHORIZATION" in request.META


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page and API answer: browsers and proxies keep no copy.

    A signed-in user's answers may hold personal data (a shared computer in a community centre
    would keep it on disk), so theirs are no-store whatever the view said. An anonymous answer
    keeps a Cache-Control its view chose, and is no-store otherwise.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _signed_in(request) or not response.has_header("Cache-Control"):
            response["Cache-Control"] = NO_STORE
            # An Expires set by a view would contradict it.
            if response.has_header("Expires"):
                del response["Expires"]
        return response

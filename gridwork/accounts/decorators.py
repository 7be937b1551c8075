"""Access rules for pages. Every view carries one (`view.access_rule`); a test walks all URL
patterns and fails on a view without a rule."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from gridwork.accounts.access import has_capability
from gridwork.accounts.otp import second_factor_missing
from gridwork.core.errors import NotFound

View = Callable[..., HttpResponse]


def _mark(view: View, rule: str) -> View:
    view.access_rule = rule  # type: ignore[attr-defined]
    return view


def public(view: View) -> View:
    """Anyone, without an account (login page, resident pages)."""
    return _mark(view, "public")


def _translate_errors(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404 from exc

    return wrapper


def signed_in(view: View) -> View:
    """Any signed-in user; what the page shows is scoped by `visible_to`."""

    @_translate_errors
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _mark(wrapper, "signed_in")


def requires(capability: str) -> Callable[[View], View]:
    """A signed-in user holding the capability somewhere; the object itself is then scoped."""

    def decorator(view: View) -> View:
        @_translate_errors
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(wrapper, f"requires:{capability}")

    return decorator


def _come_back_to(request: HttpRequest) -> str:
    """Where the user returns after the code: this page, or for a form sent here the page it was on."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def second_factor_verified(view: View) -> View:
    """Reveals and exports: roles that may do them must have verified a TOTP code in this session;
    without one the user is sent to enter it (or to enrol an authenticator first) and comes back.
    Put it inside `requires`, so a visitor is sent to log in first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if second_factor_missing(request.user):
            query = QueryDict(mutable=True)
            query["next"] = _come_back_to(request)
            target = f"{resolve_url(settings.OTP_VERIFY_URL)}?{query.urlencode()}"
            if getattr(request, "htmx", False):
                # htmx would swap the verify page into the form; have the browser go there instead.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)
        return view(request, *args, **kwargs)

    return wrapper

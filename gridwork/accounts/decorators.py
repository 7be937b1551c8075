"""Access rules for pages. Every view carries one (`view.access_rule`); a test walks all URL
patterns and fails on a view without a rule."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from gridwork.accounts.access import has_capability
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

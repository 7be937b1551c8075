"""Login, the second factor and logout.

A password that is right signs in at once, unless the account has an authenticator: then the
session keeps, for a few minutes, whose password it was, and the code page finishes the login.
The same code page serves a signed-in user whose role needs a verified code before a reveal or
an export (accounts.decorators.second_factor_verified); one without an authenticator enrols one.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from gridwork.accounts import otp
from gridwork.accounts import services as accounts
from gridwork.accounts.decorators import public, signed_in
from gridwork.web.forms import LoginForm


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from your authenticator"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits your authenticator shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )


def _safe_next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(view_name: str, next_url: str) -> str:
    return f"{resolve_url(view_name)}?{urlencode({'next': next_url})}"


class GridworkLoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        user = form.get_user()
        if not otp.has_device(user):
            return super().form_valid(form)
        # The code is still to come: nothing is signed in yet.
        self.request.session[otp.PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
        }
        return HttpResponseRedirect(_with_next(settings.OTP_VERIFY_URL, self.get_success_url()))


login = public(GridworkLoginView.as_view())

# Django's LogoutView accepts POST only, so a link or a prefetch cannot sign anyone out.
logout = signed_in(auth_views.LogoutView.as_view())


def _pending_user(request: HttpRequest) -> tuple[Any, str] | None:
    pending = request.session.get(otp.PENDING_KEY)
    if not isinstance(pending, dict) or int(time.time()) - int(pending.get("at", 0)) > otp.PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    return (user, str(pending.get("backend"))) if user is not None else None


@public
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The code: the second step of a login, or a signed-in user's step up before a reveal or export."""
    signed = request.user.is_authenticated
    pending = None if signed else _pending_user(request)
    if not signed and pending is None:
        return redirect(settings.LOGIN_URL)
    user = request.user if signed else pending[0]
    if signed and not otp.has_device(user):
        return HttpResponseRedirect(_with_next("web:otp_enrol", _safe_next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = accounts.verify_second_factor(user, form.cleaned_data["code"])
        if device is not None:
            if not signed:
                del request.session[otp.PENDING_KEY]
                auth_login(request, user, backend=pending[1])  # a new session key, as at every login
            otp_login(request, device)
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("code", _("This code is not right, or it has expired. Enter the code shown now."))
    context = {"form": form, "next": _safe_next(request), "step_up": signed}
    return render(request, "web/otp_verify.html", context, status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: its secret as a QR code and as text, confirmed by its first code."""
    if otp.has_device(request.user):
        return HttpResponseRedirect(_with_next(settings.OTP_VERIFY_URL, _safe_next(request)))
    device = accounts.start_totp_enrolment(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = accounts.confirm_totp_device(request.user, form.cleaned_data["code"])
        if confirmed is not None:
            otp_login(request, confirmed)
            return HttpResponseRedirect(_safe_next(request))
        form.add_error(
            "code", _("This code is not right. Check the phone's clock and enter the code shown now.")
        )
    context = {
        "form": form,
        "next": _safe_next(request),
        "qr_svg": otp.qr_svg(device),
        "secret": otp.secret_text(device),
    }
    response = render(request, "web/otp_enrol.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the secret is on this page
    return response

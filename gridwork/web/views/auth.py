"""Login and logout: Django's views with our template and lockout message."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from gridwork.accounts.decorators import public, signed_in
from gridwork.web.forms import LoginForm

login = public(
    auth_views.LoginView.as_view(
        template_name="web/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)

# Django's LogoutView accepts POST only, so a link or a prefetch cannot sign anyone out.
logout = signed_in(auth_views.LogoutView.as_view())

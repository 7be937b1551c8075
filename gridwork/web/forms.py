"""Forms of the pages: login with a clear lockout message, and the reason for a reveal."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password. Note that both are case-sensitive."),
        "locked": _(
            "This account is locked after too many failed logins. Try again in %(minutes)s minutes, "
            "or ask your system administrator."
        ),
    }

    def get_invalid_login_error(self) -> ValidationError:
        # The lockout backend answers a locked account like a wrong password; tell the user why.
        username = self.cleaned_data.get("username")
        user = get_user_model().objects.filter(username=username).only("locked_until").first()
        if user is not None and user.is_locked():
            return ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        return super().get_invalid_login_error()


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        min_length=4,
        max_length=300,
        help_text=_("Why you need the full ID number and phone. The reason is written to the audit log."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

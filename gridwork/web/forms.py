"""Forms of the pages: login with one answer for every failure, and the reason for a reveal."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # One answer for every failure (unknown username, wrong password, attempts refused for a
    # while): telling them apart would tell an attacker which usernames exist.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Signing in did not work: the username or password is wrong, or there were too many "
            "attempts. Check both (they are case-sensitive) and try again in a few minutes."
        ),
    }


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        min_length=4,
        max_length=300,
        help_text=_("Why you need the full ID number and phone. The reason is written to the audit log."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

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


class BreakGlassForm(forms.Form):
    """Break the glass: the record is named by a number typed in, never offered from a 404 page."""

    identifier = forms.CharField(
        label=_("ID number or record number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_(
            "Why you must open this record outside your areas. The reason is written to the audit "
            "log and shown to the auditors."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AuditFilterForm(forms.Form):
    """The audit log's filters, for its page and its export."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    since = forms.DateTimeField(
        label=_("From"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    until = forms.DateTimeField(
        label=_("To"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: object, actions: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["action"].choices = [("", _("All actions")), *actions]

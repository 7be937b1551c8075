"""Entries of the accounts app: signing in and out, who one is, and the accounts' back office."""

from __future__ import annotations

from gridwork.conftest import PASSWORD
from gridwork.web.tests.matrix.backoffice import model_entries
from gridwork.web.tests.matrix.rules import (
    ACCOUNT_MANAGERS,
    EVERYONE,
    NO_BODY,
    SIGNED,
    SIGNED_IN,
    Ctx,
    Entry,
    Rule,
)


def _login(c: Ctx) -> dict:
    user = c.d.user(c.principal)
    return {"username": user.username if user else "nobody", "password": PASSWORD}


ENTRIES: dict[str, Entry] = {
    # Signed in already: the login page sends one on.
    "GET web:login": Entry(Rule(EVERYONE, scoped=False, special=dict.fromkeys(SIGNED_IN, 302))),
    "POST web:login": Entry(Rule(EVERYONE, ok=302, scoped=False), body=_login),
    "POST web:logout": Entry(Rule(SIGNED_IN, ok=302, scoped=False), body=NO_BODY),
    "GET /api/v1/me": Entry(SIGNED),
    # The second factor: the code page after the password, and one's own authenticator.
    # Before the password, the code page sends one to sign in; a wrong code is a 400.
    "GET web:otp_verify": Entry(SIGNED),
    "POST web:otp_verify": Entry(Rule(SIGNED_IN, ok=400, scoped=False), body=lambda c: {"code": "000000"}),
    # Every session of the matrix has an authenticator already: the page sends one on.
    "GET web:otp_enrol": Entry(Rule(SIGNED_IN, ok=302, scoped=False)),
    # Accounts are switched off, never deleted (the audit log names its actors); a role is revoked
    # by deleting it; a token is issued by its own user and only revoked here.
    **model_entries("accounts_user", "user", ACCOUNT_MANAGERS, ACCOUNT_MANAGERS),
    **model_entries("accounts_roleassignment", "role", ACCOUNT_MANAGERS, ACCOUNT_MANAGERS, ACCOUNT_MANAGERS),
    **model_entries("accounts_apitoken", "api_token", ACCOUNT_MANAGERS),
}

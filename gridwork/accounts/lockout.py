"""The rules of the login throttle: which counters a login attempt touches and how long a refusal lasts.

Why not django-axes: it locks a username, an address or a pair for a fixed cool-off and answers a
locked attempt with its own page and status, which tells an attacker that the username exists
and lets anyone lock anyone out. What is wanted here is different in kind: every failure answered
alike, a refusal that grows with the failures instead of a hard lock, and an account's own known
addresses kept out of the account-wide limit, so an attacker elsewhere cannot lock its owner out.
That takes three counters (account at an address, account from new addresses, address) in one
table, written by `accounts.services.authenticate_with_lockout`; the rules are here, without writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings

from gridwork.accounts.models import LoginThrottle

# Failures older than this are forgotten: a counter starts again after a quiet day.
FORGET_AFTER = dt.timedelta(days=1)


def _digest(*parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Keys:
    pair: str
    account: str
    address: str
    account_only: str  # the username's own digest, stored beside pair and account rows


def keys_for(username: str, address: str) -> Keys:
    return Keys(
        pair=_digest("pair", username, address),
        account=_digest("account", username),
        address=_digest("address", address),
        account_only=_digest("username", username),
    )


def account_digest(username: str) -> str:
    return _digest("username", username)


def limit_for(kind: str) -> int:
    return {
        LoginThrottle.Kind.PAIR: settings.LOGIN_MAX_FAILURES,
        LoginThrottle.Kind.ACCOUNT: settings.LOGIN_ACCOUNT_MAX_FAILURES,
        LoginThrottle.Kind.ADDRESS: settings.LOGIN_ADDRESS_MAX_FAILURES,
    }[kind]


def refusal_after(failures: int, limit: int) -> dt.timedelta | None:
    """How long attempts are refused after this many failures: none below the limit, then a delay
    that doubles with each failure past it, up to LOGIN_LOCKOUT_MINUTES."""
    if failures < limit:
        return None
    cap = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    doublings = min(failures - limit, 32)  # 2**32 delays are far past any cap
    return min(cap, dt.timedelta(seconds=settings.LOGIN_DELAY_SECONDS * 2**doublings))


def is_refused(row: LoginThrottle | None, now: dt.datetime) -> bool:
    return bool(row and row.blocked_until and row.blocked_until > now)


def is_known_address(pair: LoginThrottle | None) -> bool:
    """Whether the account has signed in from this address before."""
    return bool(pair and pair.succeeded_at)

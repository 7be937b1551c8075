"""The address a request came from, for the per-address login limit, the public write limit and
the audit log.

Without a proxy it is REMOTE_ADDR. Behind reverse proxies every client would share the proxy's
address (one attacker's failures would slow down everybody's logins), so a deployment names how
many proxies stand in front (TRUSTED_PROXY_COUNT): each appends the address it received from to
X-Forwarded-For, and the client is the entry that many places from the right. Entries further
left were written by the client and could say anything; with the default of none the header is
never read, so nobody can choose their own address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def _address(text: str) -> str | None:
    text = text.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    hops = [part for part in str(request.META.get(FORWARDED_FOR) or "").split(",") if part.strip()]
    if len(hops) < proxies:
        # Fewer entries than proxies: the request did not come through all of them (or a proxy
        # was left out of the count); the nearest sender is all that is known.
        return remote
    return _address(hops[-proxies]) or remote

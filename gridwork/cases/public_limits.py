"""A light limit on writes by people without an account: so many per client address per hour.

Counted in Django's cache, so several web processes share it when the cache is shared (with the
default per-process cache each process counts on its own: still a brake, not a wall). Setting
`CASES_PUBLIC_WRITES_PER_HOUR` (default 30; 0 switches the limit off).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from gridwork.core.client_address import client_address

DEFAULT_PER_HOUR = 30
WINDOW_SECONDS = 3600


def per_hour() -> int:
    return int(getattr(settings, "CASES_PUBLIC_WRITES_PER_HOUR", DEFAULT_PER_HOUR))


def allow(request: HttpRequest, kind: str) -> bool:
    """Count this write; False once the client address used up this hour's allowance."""
    limit = per_hour()
    if limit <= 0:
        return True
    # REMOTE_ADDR, or the address the trusted proxies saw (never a forwarded-for entry the client wrote).
    address = client_address(request)
    key = f"gridwork:public:{kind}:{address}:{int(time.time() // WINDOW_SECONDS)}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        return True
    return count <= limit

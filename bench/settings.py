"""Gridwork's settings plus the bare reference endpoints (bench/urls.py)."""

import os

from gridwork import env as _env
from gridwork.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if not hasattr(_env, "cache_config") and os.environ.get("CACHE_URL"):
    # Until gridwork's settings read CACHE_URL themselves (then this does nothing): the same
    # three kinds, so the mixed workload's server variants can be run on older code too.
    _scheme = os.environ["CACHE_URL"].split("://", 1)[0]
    _backend = {
        "locmem": "django.core.cache.backends.locmem.LocMemCache",
        "dummy": "django.core.cache.backends.dummy.DummyCache",
        "redis": "django.core.cache.backends.redis.RedisCache",
    }[_scheme]
    CACHES = {"default": {"BACKEND": _backend}}
    if _scheme == "redis":
        CACHES["default"]["LOCATION"] = os.environ["CACHE_URL"]

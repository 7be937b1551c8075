"""Gridwork's settings plus the bare reference endpoints (bench/urls.py)."""

from gridwork.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

"""Figure 4: the API under load with the production server, against bare endpoints.

gunicorn (2 workers, DEBUG off) on 127.0.0.1; a bounded load generator in Python (8 threads with
one keep-alive connection each, a fixed duration). Ours: GET /api/v1/registry/people/{id} (scoped,
masked, token auth) for people in the token holder's area; bare: a django-ninja endpoint reading
one row by primary key (at least 0.5). Then creating a case (POST /api/v1/cases: routing from a
building, deadline, timeline, audit) against a bare endpoint inserting one case row (at least 0.3).
"""

from __future__ import annotations

from bench.core import Context, Row
from bench.load import measure_api

KEY = "4"
TITLE = "API under load"
NEEDS_SERVER = True
TARGET = 0.5
WRITE_TARGET = 0.3
P99_LIMIT_MS = 50.0


def run(ctx: Context) -> list[Row]:
    return measure_api(ctx, KEY, TITLE, TARGET, P99_LIMIT_MS, WRITE_TARGET)

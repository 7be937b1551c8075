"""Figure 4 (read half): the API under load with the production server, against a bare endpoint.

gunicorn (2 workers, DEBUG off) on 127.0.0.1; a bounded load generator in Python (8 threads with
one keep-alive connection each, a fixed duration). Ours: GET /api/v1/registry/people/{id} (scoped,
masked, token auth) for people in the token holder's area; bare: a django-ninja endpoint reading
one row by primary key. TODO(cases): the write half, creating a case (routing, deadline, timeline,
audit) against a bare one-row insert, at least 0.3, once gridwork/cases has its API: add a
(path, method, body) pair to MEASURES below with its target.
"""

from __future__ import annotations

from bench.core import Context, Row
from bench.load import measure_api

KEY = "4"
TITLE = "API under load"
NEEDS_SERVER = True
TARGET = 0.5
P99_LIMIT_MS = 50.0


def run(ctx: Context) -> list[Row]:
    return measure_api(ctx, KEY, TITLE, TARGET, P99_LIMIT_MS)

"""Figure 10: what logging each opened record costs (issue 12: every person, household or case
opened on its own writes one audit entry, `registry.reading.log_read`).

Person pages and the API's person answer of different people, each asked by their own grid
worker, timed in turns with the same requests answered while `log_read` writes nothing: the
ratio is the share of the page's speed that the audit entry leaves (1.0 = free). Nothing else
differs between the two sides, so the ratio is the entry's cost alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any
from unittest import mock

from django.test import Client

from bench.core import Context, Row, at_least, median_seconds_alternating
from bench.pages import demo_workers, signed_in
from gridwork.core.models import AuditEvent
from gridwork.registry.models import Person

KEY = "10"
TITLE = "read logging"
NEEDS_SERVER = False
# The entry may cost at most a fifth of the page: at or above 0.8 of the unlogged speed.
TARGET = 0.8
PEOPLE = 300


def _requests(rng: random.Random, template: str) -> list[tuple[Client, str]]:
    workers = demo_workers()
    grids = rng.sample(sorted(workers), min(len(workers), 60))
    clients = {code: signed_in(workers[code]) for code in grids}
    requests = []
    for code in grids:
        for pk in Person.objects.filter(grid_id=code).order_by("?").values_list("pk", flat=True)[:5]:
            requests.append((clients[code], template.format(pk=pk)))
    rng.shuffle(requests)
    return requests[:PEOPLE]


@contextmanager
def _unlogged() -> Iterator[None]:
    # The pages reach it through registry.reading, the API imports it by name: patched in both.
    def nothing(actor: Any, record: Any) -> None:
        return None

    with (
        mock.patch("gridwork.registry.reading.log_read", nothing),
        mock.patch("gridwork.registry.api.log_read", nothing),
    ):
        yield


def _timed(ctx: Context, requests: list[tuple[Client, str]]) -> tuple[float, float, int]:
    state = {"logged": 0, "unlogged": 0}

    def asker(side: str, wrap: Callable[[], Any]) -> Callable[[], None]:
        def ask() -> None:
            client, path = requests[state[side] % len(requests)]
            state[side] += 1
            with wrap():
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return ask

    for client in {id(c): c for c, _path in requests}.values():
        assert client.get("/api/v1/me").status_code == 200
    before = AuditEvent.objects.filter(action=AuditEvent.Action.READ).count()
    logged, unlogged = median_seconds_alternating(
        [asker("logged", nullcontext), asker("unlogged", _unlogged)], ctx.repeat
    )
    entries = AuditEvent.objects.filter(action=AuditEvent.Action.READ).count() - before
    return logged, unlogged, entries


def run(ctx: Context) -> list[Row]:
    rng = random.Random(ctx.seed)
    rows = []
    for label, template in (
        ("person pages of different people, each by their grid worker", "/people/{pk}/"),
        ("API person answers of different people, each by their grid worker", "/api/v1/persons/{pk}"),
    ):
        requests = _requests(rng, template)
        logged, unlogged, entries = _timed(ctx, requests)
        ratio = unlogged / logged if logged else None
        rows.append(
            Row(
                figure=f"{KEY}. {TITLE}",
                what=f"{label} ({len(requests)} distinct), logged against unlogged",
                value=round(logged * 1000, 2),
                unit="ms",
                reference=round(unlogged * 1000, 2),
                ratio=round(ratio, 2) if ratio else None,
                target=f">= {TARGET:.2f}",
                passed=at_least(ratio, TARGET),
                note=f"{entries} read entries written by the logged side (one per request asked)",
            )
        )
    return rows

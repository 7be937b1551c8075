"""Timing pages in-process: the Django test client through the full middleware, against a bare
fixed page of the same size served through the same middleware to the same signed-in client."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test import Client

from bench.core import Context, median_seconds_alternating
from gridwork.accounts import services as accounts
from gridwork.accounts.models import User
from gridwork.areas.models import Area, Level
from gridwork.core.system import SYSTEM

PAGE_TARGET = 1 / 3  # a page within 3x the time of the bare fixed page


@dataclass
class PageTiming:
    path: str
    seconds: float
    bare_seconds: float
    size: int
    queries: int
    # The same page rendered anew each time (its kept copy and kept rows dropped first, see
    # web/page_memo.py and core/prepared.py): what a first view of new data costs.
    rendered_seconds: float
    # The bare page timed on its own, not taking turns with the page: the requests around it leave
    # the processor's caches to it, so it is somewhat faster than when measured in turns.
    bare_alone_seconds: float

    def note(self) -> str:
        return (
            f"rendered anew each time: {self.rendered_seconds * 1000:.2f} ms; bare page timed alone: "
            f"{self.bare_alone_seconds * 1000:.2f} ms (ratio {self.bare_alone_seconds / self.seconds:.2f})"
        )

    @property
    def ratio(self) -> float:
        return self.bare_seconds / self.seconds


def sample_areas() -> dict[Level, Area]:
    """The district and the first street, community and grid under it (by code)."""
    district = Area.objects.get(level=Level.DISTRICT, parent__isnull=True)
    picked = {Level.DISTRICT: district}
    for level in (Level.STREET, Level.COMMUNITY, Level.GRID):
        parent = picked[Level(level - 1)]
        picked[level] = Area.objects.filter(parent=parent).order_by("code").first()
    return picked


def client_for(role: str, area: Area) -> Client:
    """A signed-in client for a benchmark user holding `role` at `area` (made once per database)."""
    username = f"bench_{role}_{area.code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = accounts.create_user(SYSTEM, username, secrets.token_urlsafe(16), check_password=False)
        accounts.grant_role(SYSTEM, user, role, area.code)
    client = Client()
    client.force_login(user)
    return client


def count_queries(call: Callable[[], object]) -> int:
    """Queries one call makes (an execute wrapper: the query log is reset at each request's start)."""
    seen = [0]

    def counter(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        call()
    return seen[0]


def time_page(ctx: Context, client: Client, path: str) -> PageTiming:
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    size = len(first.content)
    queries = count_queries(lambda: client.get(path))
    bare_path = f"/bench/bare/{size}/"
    assert len(client.get(bare_path).content) == size

    def rendered() -> None:
        # As after a write to what the page shows: its kept rows (core/prepared.py) and its kept
        # copy are dropped, its compiled statements are not.
        client.get(path)

    seconds, bare_seconds = median_seconds_alternating(
        [lambda: client.get(path), lambda: client.get(bare_path)], ctx.repeat
    )
    # Apart: a page rendered anew churns far more memory than either of the two compared.
    (rendered_seconds,) = median_seconds_alternating([rendered], ctx.repeat)
    (bare_alone_seconds,) = median_seconds_alternating([lambda: client.get(bare_path)], ctx.repeat)
    return PageTiming(
        path=path,
        seconds=seconds,
        bare_seconds=bare_seconds,
        size=size,
        queries=queries,
        rendered_seconds=rendered_seconds,
        bare_alone_seconds=bare_alone_seconds,
    )

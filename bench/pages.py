"""Timing pages in-process on distinct requests (figures 3 and 5).

Each timed round asks for another request of the kind (another user's home page, another area,
another grid's or community's people list with another page or search, another user's case queue
with another tab, status, category or page), so nothing one round leaves behind serves the next
the same answer. The reference is the bare signed-in view (bench/urls.py `bare_view`: the session
and user read, one row by primary key, a template of the page's size), requested by the same
signed-in client in turns with the page, round by round (bench/core.py median_seconds_alternating).
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client

from bench.core import Context, Row, at_least, median_seconds_alternating
from gridwork.accounts import services as accounts
from gridwork.accounts.models import Role, RoleAssignment, User
from gridwork.areas.models import Area, Level
from gridwork.core.system import SYSTEM
from gridwork.demo.users import WORKER_PREFIX
from gridwork.registry.models import Person

PAGE_TARGET = 1 / 4  # a page's median within 4x the bare signed-in view's


def sample_areas() -> dict[Level, Area]:
    """The district and the first street, community and grid under it (by code)."""
    district = Area.objects.get(level=Level.DISTRICT, parent__isnull=True)
    picked = {Level.DISTRICT: district}
    for level in (Level.STREET, Level.COMMUNITY, Level.GRID):
        parent = picked[Level(level - 1)]
        picked[level] = Area.objects.filter(parent=parent).order_by("code").first()
    return picked


def areas_at(level: Level, count: int, rng: random.Random) -> list[str]:
    codes = list(Area.objects.filter(level=level).order_by("code").values_list("code", flat=True))
    return rng.sample(codes, count) if len(codes) > count else codes


def user_for(role: str, code: str, index: int = 0) -> User:
    """A benchmark user holding `role` at `code` (made once per database, with no usable password:
    hashing one per user would cost a good part of a second each); `index` for more than one."""
    username = f"bench_{role}_{code}" + (f"_{index}" if index else "")
    user = User.objects.filter(username=username).first()
    if user is None:
        user = accounts.create_user(SYSTEM, username, None, check_password=False)
    if not RoleAssignment.objects.filter(user=user, role=role, area_id=code).exists():
        accounts.grant_role(SYSTEM, user, role, code)  # a rebuilt district has no roles left
    return user


def client_for(role: str, code: str) -> Client:
    client = Client()
    client.force_login(user_for(role, code))
    return client


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class QueryCounter:
    """Counts the queries of the calls made inside it (an execute wrapper: a microsecond each)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class DistinctTiming:
    label: str
    distinct: int  # how many different requests the rounds cycled through
    seconds: float  # median of the page
    bare_seconds: float  # median of the bare signed-in view, in turns
    sizes: list[int] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.bare_seconds / self.seconds

    def note(self) -> str:
        return (
            f"{self.distinct} distinct requests (e.g. {', '.join(self.examples[:2])}); queries per request "
            f"median {statistics.median(self.queries):g}, max {max(self.queries)}; size median "
            f"{statistics.median(self.sizes):,.0f} B"
        )

    def row(self, figure: str) -> Row:
        """The figure's row: the page's median against the bare view's, within 4x of it."""
        return Row(
            figure=figure,
            what=self.label,
            value=round(self.seconds * 1000, 2),
            unit="ms",
            reference=round(self.bare_seconds * 1000, 2),
            ratio=round(self.ratio, 2),
            target=f">= {PAGE_TARGET:.2f} (4x)",
            passed=at_least(self.ratio, PAGE_TARGET),
            note=self.note(),
        )


def demo_workers() -> dict[str, User]:
    """The demo's grid worker of each grid, by grid."""
    found = RoleAssignment.objects.filter(role=Role.GRID_WORKER, user__username__startswith=WORKER_PREFIX)
    return {a.area_id: a.user for a in found.select_related("user")}


def person_ids(seed: int, count: int = 500) -> list[int]:
    """`count` people's keys from a seeded place in the register (distinct rows for the bare view)."""
    total = Person.objects.count()
    start = random.Random(seed).randrange(max(1, total - count))
    return list(Person.objects.order_by("pk").values_list("pk", flat=True)[start : start + count]) or [0]


def time_distinct(ctx: Context, label: str, requests: list[tuple[Client, str]]) -> DistinctTiming:
    """The median of `requests` taken one per round in turn with the bare view; every answer must be
    200, and its size and queries are recorded."""
    assert requests, label
    bare_ids = person_ids(ctx.seed)
    state = {"page": 0, "bare": 0, "size": 4000, "client": requests[0][0]}
    sizes: list[int] = []
    queries: list[int] = []

    def page() -> None:
        client, path = requests[state["page"] % len(requests)]
        state["page"] += 1
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        state["size"], state["client"] = len(response.content), client
        sizes.append(state["size"])
        queries.append(counter.count)

    def bare() -> None:
        pk = bare_ids[state["bare"] % len(bare_ids)]
        state["bare"] += 1
        response = state["client"].get(f"/bench/bare-view/{state['size']}/{pk}/")
        assert response.status_code == 200, response.status_code

    # Each user has been signed in a while, as in real use: their session already holds what a
    # session keeps (the roles), read by one API call that renders no page.
    for client in {id(c): c for c, _path in requests}.values():
        assert client.get("/api/v1/me").status_code == 200
    calls: list[Callable[[], None]] = [page, bare]
    seconds, bare_seconds = median_seconds_alternating(calls, ctx.repeat)
    return DistinctTiming(
        label=label,
        distinct=len({(id(client), path) for client, path in requests}),
        seconds=seconds,
        bare_seconds=bare_seconds,
        sizes=sizes,
        queries=queries,
        examples=[path for _client, path in requests[:3]],
    )

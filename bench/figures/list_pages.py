"""Figure 5: the list pages at district scale, on distinct requests, within 4x the bare signed-in view.

Each timed round asks for another list: the people of another grid (as its grid worker) or of
another community (as its acceptance centre), on another page or with a search for a name; the
case queue of another grid worker or acceptance centre, with another tab (mine, my area, overdue),
status, category branch or page. Queries per request are reported beside.
"""

from __future__ import annotations

import math
import random
import urllib.parse

from django.test import Client

from bench.core import Context, Row
from bench.pages import areas_at, client_for, demo_workers, signed_in, time_distinct
from gridwork.accounts.models import Role
from gridwork.areas.models import Level
from gridwork.cases.models import OPEN_STATUSES, Category
from gridwork.core.scoping import code_range_q
from gridwork.registry.models import Person

KEY = "5"
TITLE = "list pages"
NEEDS_SERVER = False
PAGE_SIZE = 30
TABS = ("mine", "area", "overdue")


def _people_requests(
    clients: list[tuple[Client, str]], rng: random.Random, count: int
) -> list[tuple[Client, str]]:
    """Another area each round; a page of its list (the first most often) or a search for a name."""
    pages: dict[str, int] = {}
    names: dict[str, list[str]] = {}
    requests = []
    for index in range(count):
        client, code = clients[index % len(clients)]
        if code not in pages:
            total = Person.objects.filter(code_range_q("grid_id", code)).count()
            pages[code] = max(1, math.ceil(total / PAGE_SIZE))
            names[code] = list(
                Person.objects.filter(code_range_q("grid_id", code)).values_list("name", flat=True)[:50]
            )
        if index % 3 == 2 and names[code]:
            q = rng.choice(names[code])[: rng.choice((1, 2))]
            requests.append((client, f"/areas/{code}/people/?q={urllib.parse.quote(q)}"))
        else:
            page = 1 if index % 3 == 0 else rng.randint(1, pages[code])
            requests.append((client, f"/areas/{code}/people/?page={page}"))
    return requests


def _queue_requests(clients: list[Client], rng: random.Random, count: int) -> list[tuple[Client, str]]:
    """Another user each round, with another tab and a status, category branch or page."""
    branches = sorted(
        {code[:3] for code in Category.objects.active().leaves().values_list("code", flat=True)}
    )
    statuses = sorted(OPEN_STATUSES)
    requests = []
    for index in range(count):
        query = {"tab": TABS[index % len(TABS)]}
        pick = (index // len(TABS)) % 3
        if pick == 1:
            query["status"] = rng.choice(statuses)
        elif pick == 2:
            query["category"] = rng.choice(branches)
        else:
            query["page"] = str(rng.randint(1, 3))
        requests.append((clients[index % len(clients)], "/cases/?" + urllib.parse.urlencode(query)))
    return requests


def run(ctx: Context) -> list[Row]:
    rng = random.Random(ctx.seed)
    rounds = ctx.repeat + 3
    workers = demo_workers()
    grids = [code for code in areas_at(Level.GRID, rounds, rng) if code in workers]
    grid_clients = [(signed_in(workers[code]), code) for code in grids]
    communities = areas_at(Level.COMMUNITY, rounds, rng)
    centre_clients = [(client_for(Role.ACCEPTANCE_CENTRE, code), code) for code in communities]
    kinds = [
        ("people of grids (grid workers), pages and searches", _people_requests(grid_clients, rng, rounds)),
        (
            "people of communities (acceptance centres), pages and searches",
            _people_requests(centre_clients, rng, rounds),
        ),
        (
            "case queues of grid workers, tabs, statuses, categories, pages",
            _queue_requests([c for c, _ in grid_clients], rng, rounds),
        ),
        (
            "case queues of acceptance centres, tabs, statuses, categories, pages",
            _queue_requests([c for c, _ in centre_clients], rng, rounds),
        ),
    ]
    rows: list[Row] = []
    for label, requests in kinds:
        users = len({id(client) for client, _path in requests})
        timing = time_distinct(ctx, f"{label} ({users} users)", requests)
        rows.append(timing.row(f"{KEY}. {TITLE}"))
    return rows

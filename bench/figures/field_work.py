"""Figure 11: field work at district scale (issue 14's performance list).

- Today's plan (/fieldwork/) of different grid workers, each with their grid's key people due and
  the open cases waiting on them, and the patrol coverage of different streets for a day
  (/patrols/coverage/, as the street's staff), and the weekly report of different grids
  (/fieldwork/reports/<id>/, a draft: its figures assembled from the week's records on each
  view): each round another request, in turns with the bare signed-in view, within 4x of it.
- Replaying an offline batch of 200 entries (visits and memos of one grid, as the phone sends
  them) through the sync against bare inserts of the same rows (the visits, memos and sync
  entries bulk-inserted by the ORM), each round in a savepoint rolled back after it.

The bench district is built without history (figure 6), so the plan's due list is every key
person (none visited yet) and a week's figures count its cases; there are no patrols to walk.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from bench.core import Context, Row, at_least
from bench.pages import areas_at, client_for, demo_workers, signed_in, time_distinct
from gridwork.accounts.models import Role
from gridwork.areas.models import Level
from gridwork.fieldwork import reports_services as reports
from gridwork.fieldwork.visit_models import Memo, SyncEntry, SyncResult, Visit
from gridwork.fieldwork.visit_sync import sync_batch
from gridwork.registry.models import Person

KEY = "11"
TITLE = "field work"
NEEDS_SERVER = False
BATCH = 200
REPLAY_TARGET = 0.3
REPLAY_ROUNDS = 8


def _workers(rng: random.Random, count: int) -> list[tuple[str, Any]]:
    pairs = sorted(demo_workers().items())
    return rng.sample(pairs, min(count, len(pairs)))


def _page_rows(ctx: Context, rng: random.Random) -> list[Row]:
    rounds = ctx.repeat + 3
    workers = _workers(rng, min(rounds, 60))
    clients = [(signed_in(user), grid, user) for grid, user in workers]
    week = reports.week_of(timezone.localdate()) - dt.timedelta(weeks=1)
    drafts = [(client, reports.open_report(user, grid, week).pk) for client, grid, user in clients]
    streets = areas_at(Level.STREET, min(rounds, 20), rng)
    days = [timezone.localdate() - dt.timedelta(days=n) for n in range(7)]
    kinds = [
        ("today's plan of grid workers", [(c, "/fieldwork/") for c, _g, _u in clients]),
        (
            "patrol coverage of streets for a day (street staff)",
            [
                (
                    client_for(Role.STREET_STAFF, code),
                    f"/patrols/coverage/?area={code}&day={rng.choice(days)}",
                )
                for code in streets
            ],
        ),
        (
            "weekly reports of grids, assembled on view",
            [(c, f"/fieldwork/reports/{pk}/") for c, pk in drafts],
        ),
    ]
    rows = []
    for label, requests in kinds:
        timing = time_distinct(ctx, f"{label} ({len(requests)} distinct)", requests)
        rows.append(timing.row(f"{KEY}. {TITLE}"))
    return rows


def _entries(people: list[Person], at: str) -> list[dict[str, Any]]:
    entries = []
    for n in range(BATCH):
        person = people[n % len(people)]
        data = (
            {"person_id": person.pk, "grid": person.grid_id, "kind": "home", "findings": "身体尚好"}
            if n % 2 == 0
            else {"person_id": person.pk, "grid": person.grid_id, "text": "反映楼道灯坏了"}
        )
        entries.append(
            {"id": str(uuid.uuid4()), "kind": "visit" if n % 2 == 0 else "memo", "at": at, "data": data}
        )
    return entries


def _bare_inserts(worker: Any, people: list[Person], now: dt.datetime) -> None:
    visits, memos, synced = [], [], []
    for n in range(BATCH):
        person = people[n % len(people)]
        if n % 2 == 0:
            visits.append(
                Visit(
                    grid_id=person.grid_id,
                    person=person,
                    household_id=person.household_id,
                    worker=worker,
                    visited_at=now,
                    findings="身体尚好",
                )
            )
        else:
            memos.append(
                Memo(
                    grid_id=person.grid_id,
                    person=person,
                    author=worker,
                    written_at=now,
                    text="反映楼道灯坏了",
                )
            )
    Visit.objects.bulk_create(visits)
    Memo.objects.bulk_create(memos)
    for record in (*visits, *memos):
        synced.append(
            SyncEntry(
                user=worker,
                client_id=uuid.uuid4(),
                kind="visit",
                grid_id=record.grid_id,
                result=SyncResult.STORED,
                object_type=record._meta.label_lower,
                object_id=str(record.pk),
            )
        )
    SyncEntry.objects.bulk_create(synced)


def _rolled_back(work: Callable[[], Any]) -> float:
    with transaction.atomic():
        started = time.perf_counter()
        work()
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def _replay_row(rng: random.Random) -> Row:
    grid, worker = _workers(rng, 1)[0]
    people = list(Person.objects.filter(grid_id=grid).order_by("pk")[:80])
    now = timezone.now() - dt.timedelta(hours=1)
    replay, bare, refused = [], [], 0
    for round_ in range(REPLAY_ROUNDS + 1):
        entries = _entries(people, now.isoformat())
        answers: list[dict[str, Any]] = []

        def replayed(entries: list[dict[str, Any]] = entries, answers: list = answers) -> None:
            answers.extend(sync_batch(worker, entries))

        pair = [replayed, lambda: _bare_inserts(worker, people, now)]
        order = pair if round_ % 2 == 0 else pair[::-1]
        seconds = [_rolled_back(call) for call in order]
        if round_ % 2:
            seconds.reverse()
        refused += sum(1 for a in answers if a["status"] != "stored")
        if round_:  # the first round warms up
            replay.append(seconds[0])
            bare.append(seconds[1])
    replay_s, bare_s = statistics.median(replay), statistics.median(bare)
    ratio = bare_s / replay_s
    return Row(
        figure=f"{KEY}. {TITLE}",
        what=f"offline batch of {BATCH} visits and memos of one grid replayed, against bare inserts",
        value=round(replay_s * 1000, 1),
        unit="ms",
        reference=round(bare_s * 1000, 1),
        ratio=round(ratio, 2),
        target=f">= {REPLAY_TARGET:.2f}",
        passed=at_least(ratio, REPLAY_TARGET) and refused == 0,
        note=f"{REPLAY_ROUNDS} rounds, each rolled back after it; entries not stored: {refused}",
    )


def run(ctx: Context) -> list[Row]:
    rng = random.Random(ctx.seed)
    with transaction.atomic():
        rows = _page_rows(ctx, rng)
        transaction.set_rollback(True)  # the drafts opened for the report pages
    return [*rows, _replay_row(rng)]

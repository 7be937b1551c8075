"""The demo's year of visits and memos for every demo grid worker, made through the services.

Visits follow each key person's interval (the shortest among their tags) with a little slack;
about one person in six falls behind in the last months, so today's plan has overdue visits, and
a few newly tagged people were never visited. The past visits go in through the batch service
(one bulk insert per grid); memos are written one by one at their moment (time-machine), and
about a quarter of them become cases that the worker mostly resolves a few days later.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import defaultdict
from typing import Any

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridwork.cases import services as cases
from gridwork.cases.errors import TransitionNotAllowed
from gridwork.core.errors import NotFound
from gridwork.demo.history import load_cast
from gridwork.fieldwork import visit_services
from gridwork.fieldwork.visit_batch import record_visits_batch
from gridwork.fieldwork.visit_due import current_tag_q
from gridwork.registry.models import PersonTag

YEAR = dt.timedelta(days=365)
FINDINGS = (
    "身体状况良好，生活能自理",
    "血压偏高，已提醒按时服药",
    "家中整洁，情绪稳定",
    "近期独自在家，子女每周来看望",
    "反映楼道灯不亮",
    "腿脚不便，出行困难",
    "按时报到，表现良好",
    "对社区服务表示满意",
    "家中燃气灶老旧，已提醒注意安全",
    "近期就业意愿强烈",
)
NEEDS = ("", "", "", "希望有人帮忙买菜", "需要轮椅", "想了解低保政策", "希望上门理发", "需要就业信息")
MEMOS = (
    ("楼下垃圾堆放多日无人清理", "E0101"),
    ("居民反映电动车在楼道充电", "S0303"),
    ("两户邻居因噪音发生争执", "S0104"),
    ("老人说暖气不热", None),
    ("小区门口路灯坏了", None),
    ("居民希望增设休息座椅", None),
    ("孩子放学无人接，家长外地务工", None),
    ("独居老人这几天没下楼", None),
)
MEMOS_PER_GRID = 16
SERVICE_ERRORS = (ValidationError, PermissionDenied, TransitionNotAllowed, NotFound)


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    tz = timezone.get_current_timezone()
    minutes = rng.uniform(9 * 60, 17 * 60)
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz) + dt.timedelta(minutes=minutes)


def _key_people(grid: str, today: dt.date) -> list[dict[str, Any]]:
    people: dict[int, dict[str, Any]] = {}
    rows = (
        PersonTag.objects.filter(current_tag_q(today), grid_id=grid, person__status="living")
        .values_list(
            "person_id",
            "since",
            "group__visit_interval_days",
            "person__household__house__building__lon",
            "person__household__house__building__lat",
        )
        .order_by("person_id")
    )
    for person_id, since, interval, lon, lat in rows:
        known = people.setdefault(person_id, {"id": person_id, "since": since, "interval": interval})
        known["interval"] = min(known["interval"], interval)
        known["since"] = min(known["since"], since)
        known["lon"], known["lat"] = lon, lat
    return list(people.values())


def _visit_rows(rng: random.Random, grid: str, person: dict[str, Any], now: dt.datetime) -> list[dict]:
    today = now.date()
    start = max(person["since"], (now - YEAR).date())
    if (today - person["since"]).days < person["interval"] and rng.random() < 0.5:
        return []  # newly tagged: not visited yet
    behind = rng.random() < 0.17  # falls behind: the last visit is long past its interval
    stop = today - dt.timedelta(days=int(person["interval"] * rng.uniform(1.3, 3))) if behind else today
    rows, day = [], start + dt.timedelta(days=rng.randrange(max(1, person["interval"])))
    while day < stop:
        kind = rng.choices(("home", "phone", "outside"), (7, 2, 1))[0]
        at_home = kind == "home" and person["lon"] is not None
        rows.append(
            {
                "person_id": person["id"],
                "grid": grid,
                "visited_at": _moment(rng, day),
                "kind": kind,
                "findings": rng.choice(FINDINGS),
                "needs": rng.choice(NEEDS),
                "lon": person["lon"] + rng.uniform(-3e-5, 3e-5) if at_home else None,
                "lat": person["lat"] + rng.uniform(-3e-5, 3e-5) if at_home else None,
            }
        )
        day += dt.timedelta(days=max(1, round(person["interval"] * rng.uniform(0.75, 1.05))))
    return rows


def _memos(
    rng: random.Random, worker: Any, grid: str, people: list[dict], now: dt.datetime
) -> dict[str, int]:
    made = {"memos": 0, "memo_cases": 0}
    for _n in range(MEMOS_PER_GRID):
        day = (now - dt.timedelta(days=rng.uniform(0, 360))).date()
        moment = min(_moment(rng, day), now - dt.timedelta(minutes=10))
        text, category = rng.choice(MEMOS)
        person = rng.choice(people) if people and rng.random() < 0.6 else None
        with time_machine.travel(moment, tick=False):
            try:
                memo = visit_services.write_memo(
                    worker,
                    text=text,
                    subject="resident" if person else "place",
                    person_id=person["id"] if person else None,
                    grid=grid,
                    place="" if person else "小区公共区域",
                )
                made["memos"] += 1
                if category and rng.random() < 0.7:
                    memo = visit_services.memo_to_case(worker, memo.pk, category=category)
                    made["memo_cases"] += 1
            except SERVICE_ERRORS:
                continue
        case_id = memo.became_case_id if category else None
        solved = moment + dt.timedelta(days=rng.uniform(1, 4))
        if case_id and solved < now - dt.timedelta(days=2) and rng.random() < 0.85:
            with time_machine.travel(solved, tick=False), contextlib.suppress(*SERVICE_ERRORS):
                cases.act(worker, case_id, "resolve", note="已现场处理")
    return made


def build_fieldwork_visits(seed: int, now: dt.datetime | None = None) -> dict[str, int]:
    """The year of visits and memos; returns how many were made."""
    now = now or timezone.now()
    rng = random.Random(f"{seed}-visits")
    counts: dict[str, int] = defaultdict(int)
    for grid, worker in sorted(load_cast().workers.items()):
        people = _key_people(grid, now.date())
        rows = [row for person in people for row in _visit_rows(rng, grid, person, now)]
        if rows:
            counts["visits"] += record_visits_batch(worker, rows)
        for name, value in _memos(rng, worker, grid, people, now).items():
            counts[name] += value
    return dict(counts)

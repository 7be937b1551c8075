"""A year of patrols for every demo grid worker, made through the patrol services.

On most working days each worker walks their grid once, at a staggered hour: from building to
building of the register (nearest next), at a walking pace, one GPS fix every 30–60 s with a few
metres of noise, now and then a fix of poor accuracy or a wild jump (which the services flag).
Some patrols note what was seen; some findings become cases with one tap, and the worker handles
most of those on the spot. Every call runs at its moment with time-machine (as history.py), so
the patrol, its audit entries and its cases agree in time.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridwork.cases import calendar
from gridwork.cases import services as case_services
from gridwork.cases.errors import TransitionNotAllowed
from gridwork.core.errors import Conflict, NotFound
from gridwork.demo.history import load_cast
from gridwork.fieldwork import patrols_services as patrols
from gridwork.fieldwork.patrols_models import Patrol
from gridwork.registry.models import Building

DAYS = 365
PATROL_SHARE = 0.88  # of working days; the rest are meetings, leave, training
# A larger district: the first workers (by grid code) get the whole year, the others the last month.
FULL_YEAR_WORKERS = 40
SHORT_DAYS = 30
FINDING_SHARE = 0.22  # patrols that note something
CASE_SHARE = 0.45  # of findings, made a case
OPEN_CASE_DAYS = 3  # cases from findings of the last days are still open
POOR_ACCURACY_SHARE = 0.03
JUMP_SHARE = 0.01
METRES_PER_DEGREE = 111_195.0
SERVICE_ERRORS = (ValidationError, PermissionDenied, Conflict, NotFound, TransitionNotAllowed)

# What a walk finds: (category of the case it may become, words with the place).
FINDINGS: tuple[tuple[str, str], ...] = (
    ("E0101", "{place}垃圾桶满溢，周边散落生活垃圾"),
    ("E0101", "{place}绿地内有成袋垃圾未清运"),
    ("E0103", "{place}门前路面有泥土遗撒"),
    ("E0201", "{place}单元门口张贴小广告多张"),
    ("E0502", "{place}底商店外摆摊占道经营"),
    ("C0302", "{place}垃圾箱破损，箱盖缺失"),
    ("C0501", "{place}宣传栏玻璃破损"),
    ("S0303", "{place}楼道内有电动车飞线充电"),
)
RESOLVE_NOTES = ("已现场处置完毕", "已联系物业当场清理", "已劝导当事人整改到位", "已拍照留存并现场处理")


def _offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    return (
        lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat))),
        lat + north_m / METRES_PER_DEGREE,
    )


def _route(rng: random.Random, places: list[dict]) -> list[dict]:
    """A handful of the grid's buildings, nearest next from a random first one."""
    chosen = rng.sample(places, min(len(places), rng.randint(5, 9)))
    route = [chosen.pop(0)]
    while chosen:
        last = route[-1]
        chosen.sort(key=lambda p: (p["lon"] - last["lon"]) ** 2 + (p["lat"] - last["lat"]) ** 2)
        route.append(chosen.pop(0))
    return route


def walk(rng: random.Random, places: list[dict], start: dt.datetime) -> list[dict]:
    """The fixes of one walk: along the route, then back along it, for 30–70 minutes."""
    route = _route(rng, places)
    route = route + route[-2::-1] if len(route) > 1 else route
    target_s = rng.uniform(30, 70) * 60
    speed = rng.uniform(1.0, 1.4)
    fixes: list[dict] = []
    t = rng.uniform(5, 20)
    lon, lat = route[0]["lon"], route[0]["lat"]
    leg = 1
    while t < target_s:
        goal = route[leg % len(route)]
        step_s = rng.uniform(30, 60)
        dx = (goal["lon"] - lon) * METRES_PER_DEGREE * math.cos(math.radians(lat))
        dy = (goal["lat"] - lat) * METRES_PER_DEGREE
        distance = math.hypot(dx, dy)
        reach = speed * step_s
        if distance <= reach:
            lon, lat = goal["lon"], goal["lat"]
            leg += 1
            t += rng.uniform(60, 180)  # a word with the gatekeeper, a look in the stairwell
        else:
            lon, lat = _offset(lon, lat, dx / distance * reach, dy / distance * reach)
        t += step_s
        accuracy, noise = rng.uniform(4, 15), 4.0
        roll = rng.random()
        if roll < POOR_ACCURACY_SHARE:
            accuracy, noise = rng.uniform(80, 200), 60.0
        elif roll < POOR_ACCURACY_SHARE + JUMP_SHARE:
            noise = 600.0  # a multipath glitch: far off, yet the phone claims a good accuracy
        shown = _offset(lon, lat, rng.gauss(0, noise), rng.gauss(0, noise))
        fixes.append(
            {
                "at": start + dt.timedelta(seconds=t),
                "lon": round(shown[0], 7),
                "lat": round(shown[1], 7),
                "accuracy_m": round(accuracy, 1),
            }
        )
    return fixes


def _patrol_days(rng: random.Random, today: dt.date, days: int) -> list[dt.date]:
    chosen = []
    for back in range(days, 0, -1):  # today is not over yet: its patrol is the worker's own to make
        day = today - dt.timedelta(days=back)
        if calendar.is_workday(day) and rng.random() < PATROL_SHARE:
            chosen.append(day)
    return chosen


def _one_patrol(
    rng: random.Random,
    worker: Any,
    grid: str,
    places: list[dict],
    day: dt.date,
    now: dt.datetime,
    counts: dict[str, int],
) -> None:
    tz = timezone.get_current_timezone()
    hour = rng.choice((8.5, 9, 9.5, 10, 14.5, 15, 15.5, 16))
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz) + dt.timedelta(
        hours=hour, minutes=rng.uniform(0, 25)
    )
    fixes = walk(rng, places, start)
    end = fixes[-1]["at"] + dt.timedelta(seconds=rng.uniform(10, 60))
    with time_machine.travel(start, tick=False) as clock:
        patrol = patrols.start_patrol(worker, grid=grid, at=start)
        finding = None
        if rng.random() < FINDING_SHARE:
            fix = rng.choice(fixes[len(fixes) // 4 :])
            clock.move_to(fix["at"])
            category, words = rng.choice(FINDINGS)
            place = min(places, key=lambda p: (p["lon"] - fix["lon"]) ** 2 + (p["lat"] - fix["lat"]) ** 2)
            note = words.format(place=f"{place['estate']}{place['number']}")
            # Noted at the building it is about (the fix of the moment may be a noisy one).
            lon, lat = _offset(place["lon"], place["lat"], rng.uniform(-8, 8), rng.uniform(-8, 8))
            finding = patrols.add_finding(worker, patrol.pk, note=note, lon=lon, lat=lat, at=fix["at"])
            counts["findings"] += 1
        clock.move_to(end)
        patrols.add_fixes(worker, patrol.pk, fixes)  # one batch: the phone was offline, say
        patrols.end_patrol(worker, patrol.pk, at=end)
        counts["patrols"] += 1
        counts["fixes"] += len(fixes)
        if finding is not None and rng.random() < CASE_SHARE:
            case = patrols.finding_to_case(worker, finding.pk, category=category)
            counts["patrol_cases"] += 1
            if (now - end).days >= OPEN_CASE_DAYS:
                clock.move_to(end + dt.timedelta(minutes=rng.uniform(20, 90)))
                case_services.act(worker, case.pk, "resolve", note=rng.choice(RESOLVE_NOTES))


def _close_left_open(worker: Any, day: dt.date) -> None:
    """A patrol whose fixes failed stays open; end it that evening, or the next day could not start."""
    evening = dt.datetime.combine(day, dt.time(22, 0), tzinfo=timezone.get_current_timezone())
    for pk in Patrol.objects.open().filter(worker=worker).values_list("pk", flat=True):
        with time_machine.travel(evening, tick=False):
            patrols.end_patrol(worker, pk, at=evening)


def build_patrols(seed: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Make the demo's year of patrols; returns how many patrols, fixes, findings and cases."""
    now = now or timezone.now()
    rng = random.Random(f"{seed}-patrols")
    cast = load_cast()
    places: dict[str, list[dict]] = {}
    for row in (
        Building.objects.filter(grid_id__in=list(cast.workers))
        .order_by("id")
        .values("grid_id", "estate", "number", "lon", "lat")
    ):
        places.setdefault(row["grid_id"], []).append(row)
    counts = {"patrols": 0, "fixes": 0, "findings": 0, "patrol_cases": 0, "patrols_failed": 0}
    today = timezone.localdate(now)
    with calendar.one_read(today - dt.timedelta(days=DAYS + 1)):
        for n, (grid, worker) in enumerate(sorted(cast.workers.items())):
            if not places.get(grid):
                continue
            days = DAYS if n < FULL_YEAR_WORKERS else SHORT_DAYS
            for day in _patrol_days(rng, today, days):
                try:
                    _one_patrol(rng, worker, grid, places[grid], day, now, counts)
                except SERVICE_ERRORS:
                    counts["patrols_failed"] += 1
                    _close_left_open(worker, day)
    return counts

"""A year of cases on the demo district, made through the case services by the demo users.

Every case is reported with `cases.services.report_case` and moved with `act` and `rate_case`, so
each has its timeline, deadlines, audit entries and notifications as if it had happened. Time is
passed with time-machine: each call runs at its moment of the last twelve months, so every
timestamp the services write (the case, its events, the audit log, the queued notifications)
agrees. Then the overdue check runs once, now, and flags what is late. What happens to each case
is one of the scripts of `case_scripts`; which script, grid, place, words and times come from the
demo's seed (tracking codes are random by design: they are the resident's key).
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from dataclasses import dataclass, field
from typing import Any

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridwork.accounts.models import Role, RoleAssignment
from gridwork.areas.models import Area, Level
from gridwork.cases import calendar, machine, services
from gridwork.cases.errors import TransitionNotAllowed
from gridwork.cases.models import Case
from gridwork.core.errors import NotFound
from gridwork.demo import case_words, vocab
from gridwork.demo.case_scripts import SCRIPTS, Script
from gridwork.registry.models import Building

CASES_PER_GRID = 8
# Each grid worker finds these on their desk in the morning: reported or handled in the last hours.
FRESH_PER_GRID = ("routine_on_site", "coordination_handled")
FRESH_IDLE_HOURS = (0.4, 0.6, 1, 1.5, 2)
MAX_CASES = 400  # a larger district gets its cases in the grids of the communities that have a centre first
YEAR = dt.timedelta(days=365)
ON_SITE_ACTIONS = frozenset({"resolve", "update", "verify_pass", "verify_fail", "handle"})
# How long an open case has waited since its last step (calendar time): some fresh, some late.
OPEN_IDLE_HOURS = (0.5, 1, 2, 3, 5, 8, 20, 26, 50, 75, 120, 200, 400, 900)
RATINGS = (5, 5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 1)
SERVICE_ERRORS = (ValidationError, PermissionDenied, TransitionNotAllowed, NotFound)


@dataclass
class Cast:
    """The demo users who act on cases, by where they hold their roles."""

    workers: dict[str, Any] = field(default_factory=dict)  # grid code → grid worker
    staff: list[tuple[str, Any]] = field(default_factory=list)  # (area, user): centre, street, district
    departments: list[tuple[str, str, Any]] = field(default_factory=list)  # (area, department, handler)

    def lowest_above(self, area: str, longest: int = 12) -> Any:
        """The staff member at the lowest area that holds `area` (not below the `longest` level)."""
        found = [
            (len(code), user) for code, user in self.staff if area.startswith(code) and len(code) <= longest
        ]
        return max(found, key=lambda pair: pair[0])[1] if found else None

    def department_for(self, grid: str, rng: random.Random) -> tuple[str, Any] | None:
        found = [(name, user) for code, name, user in self.departments if grid.startswith(code)]
        return rng.choice(found) if found else None


def load_cast() -> Cast:
    cast = Cast()
    staff_roles = machine.CENTRE_UP
    for a in (
        RoleAssignment.objects.filter(user__username__startswith="demo_", user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    ):
        if a.role == Role.GRID_WORKER:
            cast.workers.setdefault(a.area_id, a.user)
        elif a.role in staff_roles:
            cast.staff.append((a.area_id, a.user))
        elif a.role == Role.DEPARTMENT_HANDLER and a.department:
            cast.departments.append((a.area_id, a.department, a.user))
    return cast


@dataclass
class Planned:
    """One case to make: its script, place, words and the moment of each step."""

    script: Script
    grid: str
    category: str
    title: str
    description: str
    place: dict
    times: list[dt.datetime]  # the report, then one per step
    merge_into: int | None = None  # a duplicate: the index of the case it is merged into
    reporter: tuple[str, str] = ("", "")


@dataclass
class Played:
    case: Case | None = None
    department: tuple[str, Any] | None = None
    failed: str = ""


def _choose_grids(cast: Cast, grids: list[str]) -> list[str]:
    """Grids of communities with their own acceptance centre first, then the others, in code order."""
    centres = {code for code, _user in cast.staff if len(code) == 12}
    return sorted(grids, key=lambda g: (g[:12] not in centres, g))


def _scripts(rng: random.Random, count: int) -> list[Script]:
    """One of each script first (so every ending is there), then by weight."""
    chosen = list(SCRIPTS[:count])
    if count > len(chosen):
        chosen += rng.choices(SCRIPTS, [s.weight for s in SCRIPTS], k=count - len(chosen))
    rng.shuffle(chosen)
    return chosen


def _working_start(rng: random.Random, day: dt.date) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return calendar.add_working_minutes(
        dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz), rng.uniform(5, 7 * 60)
    )


def _timeline(
    rng: random.Random, script: Script, now: dt.datetime, dup_gap: float | None, fresh: bool = False
) -> list[dt.datetime]:
    """The report and each step's moment: steps in working time, the whole shifted by days into the year."""
    start = _working_start(rng, (now - YEAR).date())
    times = [start]
    for step in script.steps:
        times.append(calendar.add_working_minutes(times[-1], rng.uniform(*step.hours) * 60))
    last = times[-1]
    if script.final:
        target = now - dt.timedelta(days=rng.uniform(1, 360))
    else:
        target = now - dt.timedelta(hours=rng.choice(FRESH_IDLE_HOURS if fresh else OPEN_IDLE_HOURS))
    # By whole days between the local dates (not a rounded duration), so that two builds a few
    # seconds apart shift every case alike: the same seed gives the same year.
    local = timezone.localtime
    shift = dt.timedelta(days=(local(target).date() - local(last).date()).days)
    if fresh:
        shift = target - last  # to the hour: on the desk this morning, not yesterday at this time
    while last + shift > now - dt.timedelta(minutes=20):
        shift -= dt.timedelta(days=1)
    if dup_gap is not None and times[0] + shift > now - dt.timedelta(hours=dup_gap + 1):
        shift -= dt.timedelta(days=1)
    return [t + shift for t in times]


def _place_name(place: dict) -> str:
    return f"{place['estate']}{place['number']}" if place["estate"] else place["address"]


def plan_cases(rng: random.Random, cast: Cast, now: dt.datetime) -> list[Planned]:
    all_grids = list(Area.objects.filter(level=Level.GRID).values_list("code", flat=True))
    grids = _choose_grids(cast, all_grids)
    count = min(MAX_CASES, CASES_PER_GRID * len(grids))
    places: dict[str, list[dict]] = {}
    for row in (
        Building.objects.filter(grid_id__in=grids)
        .order_by("id")
        .values("id", "grid_id", "estate", "number", "address", "lon", "lat")
    ):
        places.setdefault(row["grid_id"], []).append(row)
    by_name = {s.name: s for s in SCRIPTS}
    dealt = [(script, grids[n % len(grids)], False) for n, script in enumerate(_scripts(rng, count))]
    dealt += [
        (by_name[name], grid, True) for grid in grids[: count // CASES_PER_GRID] for name in FRESH_PER_GRID
    ]
    planned: list[Planned] = []
    for script, grid, fresh in dealt:
        if not places.get(grid):
            continue
        place = rng.choice(places[grid])
        category = case_words.pick_category(
            rng, "routine" if script.name == "routine_escalated" else script.track
        )
        title, description = case_words.title_and_description(rng, category, _place_name(place))
        dup_gap = rng.uniform(0.5, 1.5) if script.duplicate else None
        times = _timeline(rng, script, now, dup_gap, fresh)
        item = Planned(script, grid, category, title, description, place, times)
        if script.reporter == "resident":
            item.reporter = (vocab.person_name(rng, rng.choice("MF")), vocab.mobile(rng))
        planned.append(item)
        if dup_gap is not None:
            # A resident reports the same problem again before it is dealt with; the centre merges it.
            reported = item.times[0] + dt.timedelta(hours=dup_gap)
            dup_title, dup_description = case_words.title_and_description(rng, category, _place_name(place))
            duplicate = Planned(
                Script("duplicate", "", "resident", (), 0, True),
                grid,
                category,
                dup_title,
                dup_description,
                place,
                [reported, reported + dt.timedelta(minutes=rng.uniform(20, 40))],
                merge_into=len(planned) - 1,
                reporter=(vocab.person_name(rng, rng.choice("MF")), vocab.mobile(rng)),
            )
            planned.append(duplicate)
    return planned


class Player:
    """Plays the planned cases in the order of their moments, each call at its moment."""

    def __init__(self, rng: random.Random, cast: Cast, planned: list[Planned]) -> None:
        self.rng, self.cast, self.planned = rng, cast, planned
        self.played = [Played() for _ in planned]

    def run(self) -> None:
        queue = [(item.times[0], n, 0) for n, item in enumerate(self.planned)]
        heapq.heapify(queue)
        while queue:
            moment, n, index = heapq.heappop(queue)
            played = self.played[n]
            if played.failed:
                continue
            with time_machine.travel(moment, tick=False):
                try:
                    self._play(n, index)
                except SERVICE_ERRORS as exc:
                    played.failed = f"{type(exc).__name__}: {exc}"
                    continue
            if index + 1 < len(self.planned[n].times):
                heapq.heappush(queue, (self.planned[n].times[index + 1], n, index + 1))

    def _near(self, item: Planned) -> dict[str, float]:
        jitter = self.rng.uniform
        return {
            "lon": item.place["lon"] + jitter(-2e-5, 2e-5),
            "lat": item.place["lat"] + jitter(-2e-5, 2e-5),
        }

    def _play(self, n: int, index: int) -> None:
        item, played = self.planned[n], self.played[n]
        if index == 0:
            played.case = self._report(item)
            return
        case = played.case
        if item.merge_into is not None:
            target = self.played[item.merge_into].case
            if target is None or not target.is_open:
                raise TransitionNotAllowed("the case to merge into is closed")
            actor = self.cast.lowest_above(case.holder_area_id)
            played.case = services.act(actor, case.pk, "merge", into=target.pk).case
            return
        step = item.script.steps[index - 1]
        if step.who == "resident":
            comment = self.rng.choice(case_words.RATING_COMMENTS)
            services.rate_case(None, case.tracking_code, self.rng.choice(RATINGS), comment)
            return
        params = dict(step.params)
        if step.action == "dispatch":
            played.department = self.cast.department_for(case.grid_id, self.rng)
            if played.department is None:
                raise NotFound("no demo department handles this grid")
            params["department"] = played.department[0]
        actor = self._actor(step.who, case, played)
        note = case_words.note(self.rng, step.note) if step.note else ""
        where = self._near(item) if step.action in ON_SITE_ACTIONS else {}
        played.case = services.act(actor, case.pk, step.action, note=note, **where, **params).case

    def _actor(self, who: str, case: Case, played: Played) -> Any:
        if who == "worker":
            return self.cast.workers.get(case.grid_id)
        if who == "department":
            return played.department[1] if played.department else None
        if who == "street":
            return self.cast.lowest_above(case.holder_area_id or case.grid_id[:9], longest=9)
        if who == "district":
            return self.cast.lowest_above(case.grid_id, longest=6)
        return self.cast.lowest_above(case.holder_area_id or case.grid_id[:12])

    def _report(self, item: Planned) -> Case:
        script, point = item.script, {"lon": item.place["lon"], "lat": item.place["lat"]}
        common = {
            "category": item.category,
            "title": item.title,
            "description": item.description,
            "address": item.place["address"],
            **point,
        }
        if script.reporter == "resident":
            name, phone = item.reporter
            return services.report_case(
                None, source="resident", reporter_name=name, reporter_phone=phone, **common
            )
        if script.reporter == "centre":
            actor = self.cast.lowest_above(item.grid[:12]) or self.cast.workers.get(item.grid)
            source = self.rng.choice(("visit", "hotline", "memo"))
        else:
            actor = self.cast.workers.get(item.grid)
            source = self.rng.choice(("patrol", "patrol", "patrol", "visit"))
        track = "routine" if script.name == "routine_escalated" else script.track
        return services.report_case(actor, source=source, track=track, **common)


def build_history(seed: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Make the demo's year of cases; returns how many were made, failed and flagged overdue."""
    now = now or timezone.now()
    rng = random.Random(f"{seed}-cases")
    cast = load_cast()
    # The work calendar is read once for the whole year (it does not change while the demo is built).
    with calendar.one_read():
        planned = plan_cases(rng, cast, now)
        player = Player(rng, cast, planned)
        player.run()
    overdue = services.flag_overdue(now)
    failed = [p.failed for p in player.played if p.failed]
    return {
        "cases": sum(1 for p in player.played if p.case is not None),
        "cases_stopped_early": len(failed),
        "cases_overdue": overdue,
    }

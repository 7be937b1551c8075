"""The mixed workload's plan: who the 64 users are, what each may ask for, and the cases they act on.

`make_plan(...)` picks the users among the demo's (grid workers) and creates the others through
gridwork.accounts.services (acceptance centres of other communities, street staff of other
streets, department handlers, a second district staff), signs each in (a session made with
Django's SessionStore and the login keys, or through POST /login/ by the client when the session
engine keeps sessions where this process cannot write), and gives each a catalogue of what it
may see: its areas, people lists with their page counts, people, households and cases in its
scope, name fragments to search for, its case queues. Acting on a case needs a case in the right
state held by the right hands: `stage_cases` turns closed bench cases into submitted, accepted,
dispatched (with the dispatch on the timeline, how department handlers see them), handled,
verified, on-the-spot, street-review and district-review cases in each user's scope, a separate
pool per slot (a server variant in a figure), so no case is acted on twice.

The kinds of request and their weights per role are below (KINDS); about 85 % reads and 15 %
writes over the 64 users.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import secrets
import string
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gridwork.accounts import services as accounts
from gridwork.accounts.models import Role, RoleAssignment, User
from gridwork.areas.models import Area, Level
from gridwork.cases import queues
from gridwork.cases.models import OPEN_STATUSES, Action, Case, CaseEvent, Category, Status, Track
from gridwork.core.scoping import code_range_q
from gridwork.core.system import SYSTEM
from gridwork.registry.models import Building, Household, Person

USERS = 64
CONNECTIONS = 16
CLIENT_PROCESSES = 4
# How many of each role among the 64 (grid workers are most of the staff).
ROLE_COUNTS = {
    Role.GRID_WORKER: 36,
    Role.ACCEPTANCE_CENTRE: 12,
    Role.STREET_STAFF: 6,
    Role.DEPARTMENT_HANDLER: 8,
    Role.DISTRICT_STAFF: 2,
}
# Kinds of request and their weights, per role (writes last). bench/mix_client.py builds them.
_READS = {
    "home": 6,
    "area": 6,
    "people": 12,
    "search": 6,
    "person": 12,
    "household": 6,
    "queue": 14,
    "case": 10,
    "api person": 4,
    "api persons": 2,
    "api cases": 3,
    "api case": 2,
    "api stats": 2,
}
KINDS: dict[str, dict[str, float]] = {
    Role.GRID_WORKER: {**_READS, "report": 4, "api report": 2, "act": 5, "edit person": 4},
    Role.ACCEPTANCE_CENTRE: {**_READS, "report": 2, "api report": 1, "act": 9, "edit person": 3},
    Role.STREET_STAFF: {**_READS, "report": 3, "api report": 2, "act": 10},
    Role.DEPARTMENT_HANDLER: {
        "home": 10,
        "area": 8,
        "queue": 30,
        "case": 25,
        "api cases": 10,
        "api case": 10,
        "act": 15,
    },
    Role.DISTRICT_STAFF: {**_READS, "report": 2, "api report": 1, "act": 6},
}
WRITE_KINDS = frozenset({"report", "api report", "act", "edit person", "report (pool empty)"})
# The actions each role takes, and the state a case needs for it: (status, track, holder).
ACTIONS: dict[str, list[str]] = {
    Role.GRID_WORKER: [Action.RESOLVE, Action.VERIFY_PASS],
    Role.ACCEPTANCE_CENTRE: [Action.ACCEPT, Action.DISPATCH, Action.FEEDBACK],
    Role.STREET_STAFF: [Action.ACCEPT, Action.REVIEW_PASS],
    Role.DEPARTMENT_HANDLER: [Action.HANDLE],
    Role.DISTRICT_STAFF: [Action.APPROVE],
}
STATE_FOR: dict[str, tuple[str, str, str]] = {
    Action.ACCEPT: (Status.SUBMITTED, Track.COORDINATION, "community"),
    Action.DISPATCH: (Status.ACCEPTED, Track.COORDINATION, "community"),
    Action.FEEDBACK: (Status.VERIFIED, Track.COORDINATION, "community"),
    Action.RESOLVE: (Status.ON_SITE, Track.ROUTINE, "grid"),
    Action.VERIFY_PASS: (Status.HANDLED, Track.COORDINATION, "grid"),
    Action.HANDLE: (Status.DISPATCHED, Track.COORDINATION, "community"),
    Action.REVIEW_PASS: (Status.STREET_REVIEW, Track.APPROVAL, "street"),
    Action.APPROVE: (Status.DISTRICT_REVIEW, Track.APPROVAL, "district"),
}
# Requests per second assumed when sizing the pools (above what 2 cores serve on this mix); a
# user whose pool runs dry reports a case instead ("report (pool empty)" in the table).
RATE_FOR_POOLS = 400
CATALOGUE_SIZE = 300


@dataclass
class MixUser:
    user: Any
    role: str
    area: str
    department: str = ""
    password: str = ""
    cookies: dict[str, str] = field(default_factory=dict)


def _area_codes(level: Level) -> list[str]:
    return list(Area.objects.filter(level=level).order_by("code").values_list("code", flat=True))


def _spread(codes: list[str], count: int, rng: random.Random) -> list[str]:
    """`count` codes, all different while there are enough, in a seeded order."""
    picked: list[str] = []
    while len(picked) < count and codes:
        picked.extend(rng.sample(codes, min(len(codes), count - len(picked))))
    return picked


def _bench_user(role: str, area: str, index: int, department: str = "") -> MixUser:
    """A bench user holding `role` at `area`, made through the account services once per database."""
    username = f"bench_mix_{role}_{index}_{area}"
    user = User.objects.filter(username=username).first()
    if user is None:
        # No usable password (hashing one costs a good part of a second); see sign_in.
        user = accounts.create_user(SYSTEM, username, None, check_password=False)
    if not RoleAssignment.objects.filter(user=user, role=role, area_id=area, department=department).exists():
        # A rebuilt district has no roles left (the build wipes them); the user stays.
        accounts.grant_role(SYSTEM, user, role, area, department=department)
    return MixUser(user=user, role=role, area=area, department=department)


def _departments() -> list[str]:
    coordination = Category.objects.active().leaves().filter(default_track=Track.COORDINATION)
    return sorted(set(coordination.exclude(department="").values_list("department", flat=True)))


def mix_users(seed: int) -> list[MixUser]:
    """The 64 users: demo grid workers of different grids, bench users for the other roles."""
    from gridwork.demo.users import DEMO_PASSWORD, WORKER_PREFIX

    rng = random.Random(seed)
    users: list[MixUser] = []
    grids = _spread(_area_codes(Level.GRID), ROLE_COUNTS[Role.GRID_WORKER], rng)
    workers = {
        a.area_id: a.user
        for a in RoleAssignment.objects.filter(
            role=Role.GRID_WORKER, user__username__startswith=WORKER_PREFIX, user__is_active=True
        ).select_related("user")
    }
    seen: set[str] = set()
    for index, grid in enumerate(grids):
        if grid in workers and grid not in seen:
            users.append(MixUser(workers[grid], Role.GRID_WORKER, grid, password=DEMO_PASSWORD))
        else:  # a small district has fewer grids than 36 workers: a second worker of the grid
            users.append(_bench_user(Role.GRID_WORKER, grid, index))
        seen.add(grid)
    for index, community in enumerate(
        _spread(_area_codes(Level.COMMUNITY), ROLE_COUNTS[Role.ACCEPTANCE_CENTRE], rng)
    ):
        users.append(_bench_user(Role.ACCEPTANCE_CENTRE, community, index))
    streets = _area_codes(Level.STREET)
    for index, street in enumerate(_spread(streets, ROLE_COUNTS[Role.STREET_STAFF], rng)):
        users.append(_bench_user(Role.STREET_STAFF, street, index))
    departments = _departments()
    pairs = [(street, department) for street in streets for department in departments]
    for index, (street, department) in enumerate(rng.sample(pairs, ROLE_COUNTS[Role.DEPARTMENT_HANDLER])):
        users.append(_bench_user(Role.DEPARTMENT_HANDLER, street, index, department))
    district = _area_codes(Level.DISTRICT)[0]
    for index in range(ROLE_COUNTS[Role.DISTRICT_STAFF]):
        users.append(_bench_user(Role.DISTRICT_STAFF, district, index))
    assert len(users) == USERS
    return users


def sign_in(users: list[MixUser]) -> bool:
    """A session per user made here, when this process can write where the server reads them;
    else False, and each bench user gets one password (hashed once) to sign in with through the
    login form."""
    engine = settings.SESSION_ENGINE
    if not engine.endswith((".db", ".cached_db", ".file", ".signed_cookies")):
        password = secrets.token_urlsafe(16)
        hashed = make_password(password)
        for mix_user in users:
            if not mix_user.password:
                User.objects.filter(pk=mix_user.user.pk).update(password=hashed)
                mix_user.password = password
        return False
    store = import_module(engine).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    for mix_user in users:
        session = store()
        session[SESSION_KEY] = mix_user.user._meta.pk.value_to_string(mix_user.user)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = mix_user.user.get_session_auth_hash()
        session.save()
        # A CSRF secret as Django makes one (32 letters and digits), as the browser keeps it from
        # its first page; one the server sets instead replaces it in the client's jar.
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        mix_user.cookies = {
            settings.SESSION_COOKIE_NAME: session.session_key,
            settings.CSRF_COOKIE_NAME: csrf,
        }
    return True


# --- catalogues ------------------------------------------------------------------------------------


def _sample(values: list[Any], count: int, rng: random.Random) -> list[Any]:
    return rng.sample(values, count) if len(values) > count else list(values)


def _ids(queryset: Any, rng: random.Random, count: int = CATALOGUE_SIZE) -> list[int]:
    # A window of the index in a seeded place, then a sample of it: cheap at any scale.
    total = queryset.count()
    if total == 0:
        return []
    start = rng.randrange(max(1, total - count * 4))
    return _sample(
        list(queryset.order_by("pk").values_list("pk", flat=True)[start : start + count * 4]), count, rng
    )


def _pages(total: int, size: int = 30) -> int:
    return max(1, math.ceil(total / size))


def _names(codes: list[str], rng: random.Random) -> list[str]:
    names: set[str] = set()
    for code in codes[:5]:
        for name in Person.objects.filter(code_range_q("grid_id", code)).values_list("name", flat=True)[:200]:
            names.add(name[:1])
            names.add(name[:2])
    return _sample(sorted(names), 40, rng) or ["王"]


def catalogue(mix_user: MixUser, rng: random.Random) -> dict[str, Any]:
    user, area = mix_user.user, mix_user.area
    now = timezone.now()
    children = list(Area.objects.filter(code__startswith=area).order_by("code").values_list("code", "level"))
    areas = [code for code, level in children if level <= Level.COMMUNITY or len(children) < 400]
    if mix_user.role == Role.GRID_WORKER:
        people_codes = [area]
    else:
        below = [code for code, level in children if level in (Level.COMMUNITY, Level.GRID)]
        people_codes = (
            [area, *_sample(below, 30, rng)]
            if mix_user.role != Role.DISTRICT_STAFF
            else _sample([code for code, level in children if level != Level.DISTRICT], 40, rng)
        )
    reads_register = mix_user.role != Role.DEPARTMENT_HANDLER
    people_areas = []
    if reads_register:
        for code in people_codes:
            people_areas.append([code, _pages(Person.objects.filter(code_range_q("grid_id", code)).count())])
    in_area = code_range_q("grid_id", area)
    tabs = [[tab, _pages(queues.queue(user, tab, now).count())] for tab in queues.QUEUES]
    categories = Category.objects.active()
    leaves = list(categories.leaves().values_list("code", flat=True))
    branches = sorted({code[:3] for code in leaves}) + _sample(leaves, 10, rng)
    cases = _ids(Case.objects.visible_to(user), rng)
    return {
        "areas": _sample(areas, 60, rng),
        "people_areas": people_areas,
        "names": _names(people_codes, rng) if reads_register else [],
        "persons": _ids(Person.objects.filter(in_area), rng) if reads_register else [],
        "editable_persons": _ids(Person.objects.filter(in_area), rng, 100) if reads_register else [],
        "households": _ids(Household.objects.filter(in_area), rng) if reads_register else [],
        "cases": cases,
        "tabs": tabs,
        "statuses": sorted(OPEN_STATUSES),
        "category_branches": branches,
        "leaves": leaves,
        "buildings": _ids(Building.objects.filter(in_area), rng, 100),
        "departments": _departments(),
    }


# --- cases in the states the actions need ----------------------------------------------------------


def _holder_for(where: str, grid: str) -> str:
    return {"grid": grid, "community": grid[:12], "street": grid[:9], "district": grid[:6]}[where]


def stage_cases(
    users: list[MixUser], slots: list[str], seconds_per_slot: float, seed: int
) -> dict[int, dict[str, dict]]:
    """For each user (by index), slot and action, closed bench cases in its scope put into the
    state the action needs (as many as pool_size says, while its area has them; a shortage is
    shared out evenly). Returns {user index: {slot: {action: [case ids]}}}."""
    rng = random.Random(seed)
    now = timezone.now()
    taken: set[int] = set()
    pools: dict[int, dict[str, dict]] = {}
    with transaction.atomic():
        for index, mix_user in enumerate(users):
            actions = ACTIONS[mix_user.role]
            per_pool = pool_size(seconds_per_slot, mix_user)
            wanted = per_pool * len(actions) * len(slots)
            # Closed bench cases (tracking codes "B…") under the user's area, in a seeded window.
            closed = Case.objects.filter(code_range_q("grid_id", mix_user.area), status=Status.CLOSED)
            closed = closed.filter(tracking_code__startswith="B")
            if mix_user.role == Role.DEPARTMENT_HANDLER:
                closed = closed.filter(category__department=mix_user.department)
            found = [pk for pk in _ids(closed, rng, wanted * 2) if pk not in taken][:wanted]
            taken.update(found)
            rows = dict(Case.objects.filter(pk__in=found).values_list("pk", "grid_id"))
            pairs = [(slot, action) for slot in slots for action in actions]
            dealt: dict[tuple[str, str], list[int]] = {pair: [] for pair in pairs}
            for position, pk in enumerate(found):  # in turn, so a shortage falls on every pool alike
                dealt[pairs[position % len(pairs)]].append(pk)
            pools[index] = {slot: {} for slot in slots}
            for (slot, action), ids in dealt.items():
                pools[index][slot][action] = ids
                _set_state(ids, rows, action, mix_user, now)
    return pools


def _set_state(
    ids: list[int], grids: dict[int, str], action: str, mix_user: MixUser, now: dt.datetime
) -> None:
    status, track, where = STATE_FOR[action]
    department = mix_user.department if action == Action.HANDLE else ""
    by_holder: dict[str, list[int]] = {}
    for pk in ids:
        by_holder.setdefault(_holder_for(where, grids[pk]), []).append(pk)
    for holder, pks in by_holder.items():
        Case.objects.filter(pk__in=pks).update(
            status=status,
            track=track,
            holder_area_id=holder,
            holder_user=None,
            holder_department=department,
            step_started_at=now - dt.timedelta(hours=1),
            step_limit_minutes=24 * 60,
            step_deadline=now + dt.timedelta(days=2),
            closed_at=None,
            overdue=False,
        )
    if department:
        # The dispatch on the timeline: how a department handler finds the case (Case.visible_to).
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case_id=pk,
                    action=Action.DISPATCH,
                    actor_label="bench",
                    at=now - dt.timedelta(hours=1),
                    from_status=Status.ACCEPTED,
                    to_status=Status.DISPATCHED,
                    department=department,
                )
                for pk in ids
            ]
        )


def pool_size(seconds_per_slot: float, mix_user: MixUser) -> int:
    """Cases for one user, slot and action: what the user's share of RATE_FOR_POOLS requests a
    second would use, and half again."""
    requests = RATE_FOR_POOLS * seconds_per_slot / USERS
    kinds = KINDS[mix_user.role]
    share = kinds["act"] / sum(kinds.values()) / len(ACTIONS[mix_user.role])
    return max(2, math.ceil(requests * share * 1.5))


def make_plan(seed: int, slots: list[str], seconds_per_slot: float, path: Path) -> dict[str, Any]:
    """Users, sessions, catalogues and pools, written to `path` for bench/mix_client.py."""
    users = mix_users(seed)
    signed_in = sign_in(users)
    rng = random.Random(seed + 1)
    pools = stage_cases(users, slots, seconds_per_slot, seed)
    specs = []
    for index, mix_user in enumerate(users):
        specs.append(
            {
                "index": index,
                "username": mix_user.user.username,
                "password": mix_user.password,
                "role": mix_user.role,
                "area": mix_user.area,
                "department": mix_user.department,
                "cookies": mix_user.cookies if signed_in else None,
                "kinds": list(KINDS[mix_user.role].items()),
                "catalogue": catalogue(mix_user, rng),
                "pools": pools[index],
            }
        )
    # Connection i serves users i, i+16, i+32, i+48: every connection has a mix of roles.
    connections = [list(range(c, USERS, CONNECTIONS)) for c in range(CONNECTIONS)]
    processes = [list(range(p, CONNECTIONS, CLIENT_PROCESSES)) for p in range(CLIENT_PROCESSES)]
    bare = _ids(Person.objects.all(), rng, 2000)
    plan = {
        "seed": seed,
        "users": specs,
        "connections": connections,
        "processes": processes,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "signed_in": signed_in,
        "bare_persons": bare,
    }
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    return plan

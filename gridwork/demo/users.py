"""The demo accounts: one user for every role at a sensible area, and a grid worker for every grid.

All share one published demo password. Hashing it (PBKDF2) takes a good fraction of a second,
so it is hashed once and the hash is shared: thousands of grid workers would otherwise take
minutes. Users left from an earlier build are updated in place, never deleted, because the
audit log refers to them.
"""

from __future__ import annotations

import base64
import functools
import random
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import Max
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridwork.accounts.access import CAPABILITIES, REGISTER_EXPORT, REGISTER_REVEAL
from gridwork.accounts.models import Role, RoleAssignment, User
from gridwork.accounts.roles_version import bump_roles_version
from gridwork.demo import vocab
from gridwork.demo.layout import DistrictPlan

DEMO_PASSWORD = "Gridwork-Demo-2025"  # noqa: S105 - published on purpose: it opens the synthetic demo only
# The demo users whose roles may reveal or export share one authenticator secret, published like
# the password (synthetic demo only): add it to any TOTP app to sign in as them after `make run`.
DEMO_TOTP_SECRET = "GRIDWORKDEMOTOTPSECRETKEYTWOFIVE"  # noqa: S105 - base32, published on purpose
DEMO_TOTP_ROLES = CAPABILITIES[REGISTER_REVEAL] | CAPABILITIES[REGISTER_EXPORT]
PREFIX = "demo_"
WORKER_PREFIX = "demo_gw"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    area: str
    department: str = ""


def plan_users(plan: DistrictPlan) -> list[DemoUser]:
    county = plan.code
    urban = next(s for s in plan.streets if not s.rural)
    town = next(s for s in plan.streets if s.rural)
    community = urban.communities[0]
    village = next(c for c in town.communities if c.kind == "village")
    users = [
        DemoUser("demo_admin", Role.SYSADMIN, county),
        DemoUser("demo_auditor", Role.AUDITOR, county),
        DemoUser("demo_district", Role.DISTRICT_STAFF, county),
        DemoUser("demo_dept", Role.DEPARTMENT_HANDLER, county, "区城市管理委员会"),
        DemoUser("demo_street", Role.STREET_STAFF, urban.code),
        DemoUser("demo_street_dept", Role.DEPARTMENT_HANDLER, urban.code, "街道城市管理办公室"),
        DemoUser("demo_town", Role.STREET_STAFF, town.code),
        DemoUser("demo_centre", Role.ACCEPTANCE_CENTRE, community.code),
        DemoUser("demo_village", Role.ACCEPTANCE_CENTRE, village.code),
        DemoUser("demo_member", Role.GRID_MEMBER, community.grids[0].code),
    ]
    for n, grid in enumerate(plan.grids(), start=1):
        users.append(DemoUser(f"{WORKER_PREFIX}{n}", Role.GRID_WORKER, grid.code))
    return users


@functools.lru_cache(maxsize=4)
def _password_hash(hashers: tuple[str, ...]) -> str:
    return make_password(DEMO_PASSWORD)


def password_hash() -> str:
    return _password_hash(tuple(settings.PASSWORD_HASHERS))


def create_users(plan: DistrictPlan, rng: random.Random) -> tuple[dict[str, int], int]:
    """Create or refresh the demo users and their roles: (grid code → its worker's user id, user count)."""
    wanted = plan_users(plan)
    existing = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
    next_id = (User.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    hashed = password_hash()
    new, changed, ids = [], [], {}
    for demo in wanted:
        sex = "M" if rng.random() < 0.5 else "F"
        fields = {
            "display_name": vocab.person_name(rng, sex),
            "phone": vocab.mobile(rng),
            "password": hashed,
            "is_active": True,
        }
        user = existing.pop(demo.username, None)
        if user is None:
            user = User(id=next_id, username=demo.username, **fields)
            next_id += 1
            new.append(user)
        else:
            for key, value in fields.items():
                setattr(user, key, value)
            changed.append(user)
        ids[demo.username] = user.id
    User.objects.bulk_create(new, batch_size=500)
    if changed:
        User.objects.bulk_update(
            changed,
            ["display_name", "phone", "phone_hash", "password", "is_active"],
            batch_size=500,
        )
    # Demo users of a larger earlier build have no grid now: they stay, switched off.
    stale = list(existing.values())
    for user in stale:
        user.is_active = False
    User.objects.bulk_update(stale, ["is_active"], batch_size=500)
    RoleAssignment.objects.filter(user_id__in=ids.values()).delete()
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user_id=ids[d.username], role=d.role, area_id=d.area, department=d.department)
            for d in wanted
        ],
        batch_size=500,
    )
    bump_roles_version(ids.values())  # bulk_create sends no signals: outdate the roles sessions keep
    _give_authenticators([ids[d.username] for d in wanted if d.role in DEMO_TOTP_ROLES])
    return {d.area: ids[d.username] for d in wanted if d.role == Role.GRID_WORKER}, len(wanted)


def _give_authenticators(user_ids: list[int]) -> None:
    """One confirmed TOTP device with the published demo secret for each of these demo users."""
    TOTPDevice.objects.filter(user__username__startswith=PREFIX).delete()
    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    TOTPDevice.objects.bulk_create(
        [TOTPDevice(user_id=pk, name="demo authenticator", key=key, confirmed=True) for pk in user_ids],
        batch_size=500,
    )


def _order(username: str) -> tuple[int, int, str]:
    match = re.fullmatch(rf"{WORKER_PREFIX}(\d+)", username)
    return (1, int(match.group(1)), "") if match else (0, 0, username)


def demo_logins() -> list[dict[str, str]]:
    """The active demo users with their roles: main accounts first, then grid workers in grid order."""
    rows = []
    assignments = RoleAssignment.objects.filter(
        user__username__startswith=PREFIX, user__is_active=True
    ).select_related("user", "area")
    for a in assignments:
        rows.append(
            {
                "username": a.user.username,
                "role": a.role,
                "area": a.area.code,
                "area_name": a.area.name,
                "department": a.department,
                "display_name": a.user.display_name,
            }
        )
    main_order = {
        d: i
        for i, d in enumerate(
            [
                "demo_admin",
                "demo_auditor",
                "demo_district",
                "demo_dept",
                "demo_street",
                "demo_street_dept",
                "demo_town",
                "demo_centre",
                "demo_village",
                "demo_member",
            ]
        )
    }
    rows.sort(
        key=lambda r: (main_order.get(r["username"], len(main_order)), _order(r["username"]), r["role"])
    )
    return rows

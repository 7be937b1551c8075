"""Shared fixtures: a small district built through the services, and one user per role.

District 110112 → streets 110112001 (urban) and 110112104 (a town) → one community each →
two grids each, unit squares side by side, so scoping can be tested across grids and streets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridwork.accounts import services as accounts
from gridwork.accounts.models import Role
from gridwork.areas import services as areas
from gridwork.core.system import SYSTEM
from gridwork.core.validators import resident_id_check_char
from gridwork.registry import services as registry
from gridwork.registry.models import (
    Building,
    FacilityObject,
    House,
    Household,
    KeyGroup,
    Organization,
    Person,
    PersonTag,
)

PASSWORD = "Correct-Horse-Battery-9"  # noqa: S105 (test accounts only)

STREET_A, STREET_B = "110112001", "110112104"
COMMUNITY_A, COMMUNITY_B = "110112001001", "110112104201"
GRID_A1, GRID_A2 = "110112001001001", "110112001001002"
GRID_B1, GRID_B2 = "110112104201001", "110112104201002"


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def make_id(birth: dt.date, serial: int, sex: str, region: str = "110112") -> str:
    """A synthetic resident ID number with a correct check digit."""
    seq = serial % 100 * 10 + (1 if sex == "M" else 2)
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_char(first17)


@dataclass
class District:
    grids: dict[str, Any] = field(default_factory=dict)
    buildings: dict[str, Building] = field(default_factory=dict)
    houses: dict[str, House] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    orgs: dict[str, Organization] = field(default_factory=dict)
    objects: dict[str, FacilityObject] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)

    def client(self, who: str | None, *, verified: bool = True) -> Client:
        """A logged-in test client for a user key of `users`, or an anonymous one for None.

        `verified`: the session has verified a second-factor code, as reveals and exports need.
        """
        client = Client()
        if who is not None:
            client.force_login(self.users[who])
            if verified:
                verify_second_factor(client, self.users[who])
        return client


def verify_second_factor(client: Client, user: Any) -> None:
    """Give the user an authenticator (if it has none) and mark the client's session as having
    verified a code from it, as the code page does."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


GRID_ORIGINS = {
    GRID_A1: (116.60, 39.90),
    GRID_A2: (116.61, 39.90),
    GRID_B1: (116.70, 39.80),
    GRID_B2: (116.71, 39.80),
}

# user key → (role, area) ; "nobody" has no role at all
USERS: dict[str, tuple[str, str] | None] = {
    "nobody": None,
    "member_a1": (Role.GRID_MEMBER, GRID_A1),
    "worker_a1": (Role.GRID_WORKER, GRID_A1),
    "worker_a2": (Role.GRID_WORKER, GRID_A2),
    "worker_b1": (Role.GRID_WORKER, GRID_B1),
    "centre_a": (Role.ACCEPTANCE_CENTRE, COMMUNITY_A),
    "street_a": (Role.STREET_STAFF, STREET_A),
    "street_b": (Role.STREET_STAFF, STREET_B),
    "district": (Role.DISTRICT_STAFF, "110112"),
    "department": (Role.DEPARTMENT_HANDLER, STREET_A),
    "auditor": (Role.AUDITOR, "110112"),
    "admin": (Role.SYSADMIN, "110112"),
}


def build_district() -> District:
    d = District()
    areas.create_area(SYSTEM, "110112", "通州区")
    areas.create_area(SYSTEM, STREET_A, "中仓街道")
    areas.create_area(SYSTEM, STREET_B, "宋庄镇", rural=True)
    areas.create_area(SYSTEM, COMMUNITY_A, "示例社区", community_kind="estate")
    areas.create_area(SYSTEM, COMMUNITY_B, "示例村", community_kind="village")
    for code, (lon, lat) in GRID_ORIGINS.items():
        d.grids[code] = areas.create_area(
            SYSTEM, code, f"第{code[-1]}网格", target_households=300, target_people=800
        )
        areas.set_boundary(SYSTEM, code, square(lon, lat), valid_from=dt.date(2024, 1, 1))
    for serial, (code, (lon, lat)) in enumerate(GRID_ORIGINS.items(), start=1):
        org = registry.save_record(
            SYSTEM,
            Organization,
            {
                "name": f"示例物业{code[-1]}",
                "kind": "property",
                "lon": lon + 0.001,
                "lat": lat + 0.001,
                "contact_name": "联系人",
                "contact_phone": "13800000000",
            },
        )
        d.orgs[code] = org
        b = registry.save_record(
            SYSTEM,
            Building,
            {
                "code": f"B{code}",
                "estate": "示例小区",
                "number": f"{code[-1]}号楼",
                "address": "示例路1号",
                "lon": lon + 0.005,
                "lat": lat + 0.005,
                "floors": 6,
                "units": 2,
                "property_company": org.pk,
            },
        )
        d.buildings[code] = b
        h = registry.save_record(SYSTEM, House, {"building": b.pk, "unit": 1, "floor": 2, "room": "201"})
        d.houses[code] = h
        hh = registry.save_record(SYSTEM, Household, {"number": f"H{code}", "house": h.pk, "grid": code})
        d.households[code] = hh
        person = registry.save_record(
            SYSTEM,
            Person,
            {
                "household": hh.pk,
                "relation": "head",
                "name": f"测试{code[-1]}",
                "id_number": make_id(dt.date(1960, 5, serial), serial, "M"),
                "phone": f"1390000{serial:04d}",
                "political_status": "party_member",
                "ethnicity": "汉族",
            },
        )
        d.people[code] = person
        d.objects[code] = registry.save_record(
            SYSTEM,
            FacilityObject,
            {
                "code": f"O{code}",
                "object_class": "01",
                "subclass": "井盖",
                "lon": lon + 0.002,
                "lat": lat + 0.002,
            },
        )
    elderly = KeyGroup.objects.get(code="elderly_alone")
    corrections = KeyGroup.objects.get(code="community_correction")
    registry.save_record(
        SYSTEM, PersonTag, {"person": d.people[GRID_A1].pk, "group": elderly.pk, "since": dt.date(2024, 1, 1)}
    )
    registry.save_record(
        SYSTEM,
        PersonTag,
        {
            "person": d.people[GRID_A1].pk,
            "group": corrections.pk,
            "since": dt.date(2024, 1, 1),
            "risk_level": "medium",
            "details": "示例",
        },
    )
    for key, grant in USERS.items():
        user = accounts.create_user(SYSTEM, key, PASSWORD, display_name=key, check_password=False)
        if grant is not None:
            accounts.grant_role(SYSTEM, user, grant[0], grant[1])
        d.users[key] = user
    return d


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Test users need no strong hashing; the production hasher would cost seconds per district.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings: Any) -> None:
    # Background tasks run at once in tests; the worker process is tested on its own.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def district(db: Any) -> District:
    return build_district()


@pytest.fixture(autouse=True, scope="session")
def _flush_past_append_only_triggers() -> Any:
    """Transactional tests end with Django's flush, which on SQLite is a DELETE of every table: the
    append-only triggers refuse it for the audit log. Around the flush only (tests, never the
    application), the triggers are dropped and made again from their own stored SQL. PostgreSQL's
    flush is a TRUNCATE, which fires no row trigger."""
    from django.db import connection, transaction

    if connection.vendor != "sqlite":
        yield
        return
    from django.db.backends.sqlite3.base import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('core_auditevent', 'core_recordhistory')"
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            original(self, sql_list)
            for _name, sql in triggers:
                cursor.execute(sql)

    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]

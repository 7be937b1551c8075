"""The authorization matrix's fixture district: the shared test district (gridwork.conftest) plus
what every route needs to be asked about: cases in each grid (one dispatched to a department), a
photo, import jobs and notifications of every user, webhook subscriptions, Open311 tokens, and a
second district, so that even district staff have something outside their scope.

Each principal has an object in its scope and one outside it (`SCOPE`); `target` names them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from gridwork.accounts import services as accounts
from gridwork.accounts.access import forget_assignments
from gridwork.accounts.models import ApiToken, Role
from gridwork.areas import services as areas
from gridwork.areas.models import Area, AreaBoundary
from gridwork.cases import seed
from gridwork.cases import services as cases
from gridwork.cases.models import Case, CasePhoto
from gridwork.cases.tests.helpers import PNG
from gridwork.conftest import (
    GRID_A1,
    GRID_A2,
    GRID_B1,
    GRID_B2,
    GRID_ORIGINS,
    PASSWORD,
    STREET_A,
    District,
    build_district,
    make_id,
    square,
)
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.core.system import SYSTEM
from gridwork.notify import services as notify
from gridwork.notify.models import Notification
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
from gridwork.transfer import services as transfer
from gridwork.transfer.models import ImportJob
from gridwork.web.tests.matrix.district_fieldwork import FieldWork, build_field_work

OTHER_DISTRICT = "110113"
GRID_X1 = "110113001001001"
ORIGINS = {**GRID_ORIGINS, GRID_X1: (116.90, 40.10)}
GRIDS = (GRID_A1, GRID_A2, GRID_B1, GRID_B2, GRID_X1)
LABELS = {GRID_A1: "A1", GRID_A2: "A2", GRID_B1: "B1", GRID_B2: "B2", GRID_X1: "X1"}

PRINCIPALS = (
    "anonymous",
    "no_role",
    "grid_member",
    "grid_worker",
    "acceptance_centre",
    "department_handler",
    "street_staff",
    "district_staff",
    "auditor",
    "sysadmin",
)
# principal → the user key of gridwork.conftest.USERS (the anonymous principal has none)
USER_OF = {
    "no_role": "nobody",
    "grid_member": "member_a1",
    "grid_worker": "worker_a1",
    "acceptance_centre": "centre_a",
    "department_handler": "department",
    "street_staff": "street_a",
    "district_staff": "district",
    "auditor": "auditor",
    "sysadmin": "admin",
}
# principal → (grid of the object in its scope, grid of the one outside it). A grid's members and
# worker look at the neighbouring grid of their community; the community and the street at the
# other street; the district at another district. The others have no grid: A1 and B1 both.
SCOPE = {
    "grid_member": (GRID_A1, GRID_A2),
    "grid_worker": (GRID_A1, GRID_A2),
    "district_staff": (GRID_A1, GRID_X1),
    # The auditor reads its district's whole audit log: outside it lies the other district.
    "auditor": (GRID_A1, GRID_X1),
}
DEFAULT_SCOPE = (GRID_A1, GRID_B1)
URBAN = seed.URBAN
# Kinds of objects a route's parameter may name; the missing one of each never exists.
MISSING = {
    "grid": "110112001001999",
    "int": "987654321",
    "twin": "987654322",
    "tracking": "ZZZZZZZZZZZZ",
    "conflict": "00000000-0000-4000-8000-000000000000",
}


def point(grid: str) -> tuple[float, float]:
    # A grid that does not exist lies nowhere: a point outside every grid.
    lon, lat = ORIGINS.get(grid, (100.0, 30.0))
    return round(lon + 0.004, 6), round(lat + 0.004, 6)


@dataclass
class MatrixDistrict:
    base: District
    cases: dict[str, Case] = field(default_factory=dict)
    dispatched: Case | None = None
    open311: Case | None = None
    photos: dict[int, CasePhoto] = field(default_factory=dict)
    jobs: dict[str, ImportJob] = field(default_factory=dict)
    notes: dict[str, Notification] = field(default_factory=dict)
    subscriptions: dict[str, Any] = field(default_factory=dict)
    buildings: dict[str, Building] = field(default_factory=dict)
    houses: dict[str, House] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    twins: dict[str, Person] = field(default_factory=dict)
    # A person of each grid whose name no other record shares: what a leak would show.
    marked: dict[str, Person] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    field_work: FieldWork = field(default_factory=FieldWork)
    serial: int = 100

    def user(self, principal: str) -> Any:
        return self.base.users[USER_OF[principal]] if principal in USER_OF else None

    def fresh_id_number(self) -> str:
        self.serial += 1
        return make_id(dt.date(1988, 3, 1 + self.serial % 27), self.serial, "F")

    def grid_of(self, principal: str, side: str) -> str:
        inside, outside = SCOPE.get(principal, DEFAULT_SCOPE)
        return inside if side == "in" else outside

    def case_of(self, principal: str, side: str) -> Case:
        # The department sees only what was dispatched to it; the case of grid B1 was not.
        if principal == "department_handler" and side == "in":
            assert self.dispatched is not None
            return self.dispatched
        return self.cases[self.grid_of(principal, side)]

    def secrets(self, principal: str, side: str) -> list[str]:
        """What an answer about the grid of `side` shows only to those who may see it."""
        grid = self.grid_of(principal, side)
        case = self.case_of(principal, side)
        texts = [
            self.marked[grid].name,
            self.people[grid].name,
            self.households[grid].number,
            self.buildings[grid].code,
            case.tracking_code,
        ]
        texts += [self.base.orgs[grid].name, self.base.objects[grid].code]
        return texts + self.field_work.secrets.get(grid, [])

    def leaks(self, principal: str) -> list[str]:
        """What no answer to the principal may show: the secrets outside its scope that are not
        also the name of something inside it."""
        inside = set(self.secrets(principal, "in"))
        return [text for text in self.secrets(principal, "out") if text not in inside]

    def target(self, principal: str, side: str, kind: str) -> str:
        """The value of a route parameter naming an object of `kind`, in or outside the scope."""
        grid = self.grid_of(principal, side)
        # Import jobs and notifications are their owner's: the anonymous caller asks for a worker's.
        mine = principal if principal in USER_OF else "grid_worker"
        owner = mine if side == "in" else ("grid_worker" if mine != "grid_worker" else "street_staff")
        values = {
            "grid": lambda: grid,
            "building": lambda: self.buildings[grid].pk,
            "house": lambda: self.houses[grid].pk,
            "household": lambda: self.households[grid].pk,
            "person": lambda: self.people[grid].pk,
            "twin": lambda: self.twins[grid].pk,
            "area": lambda: Area.objects.get(code=grid).pk,
            "org": lambda: self.base.orgs[grid].pk,
            "object": lambda: self.base.objects[grid].pk,
            "case": lambda: self.case_of(principal, side).pk,
            "photo": lambda: self.case_of(principal, side).photos.first().pk,
            "tracking": lambda: self.case_of(principal, side).tracking_code,
            "open311_case": lambda: self.open311.pk,
            "open311_token": lambda: self.open311.tracking_code,
            "job": lambda: self.jobs[owner].pk,
            "notification": lambda: self.notes[owner].pk,
            "subscription": lambda: self.subscriptions["in" if side == "in" else "out"].pk,
            # the back office's records
            "boundary": lambda: AreaBoundary.objects.filter(area__code=grid).first().pk,
            "tag": lambda: PersonTag.objects.filter(person=self.twins[grid]).first().pk,
            "user": lambda: self.base.users["worker_a1" if side == "in" else "worker_x1"].pk,
            # worker_a2 holds no API token, which would keep its role from being deleted
            "role": lambda: self.base.users["worker_a2" if side == "in" else "worker_x1"].roles.first().pk,
            "api_token": lambda: (
                ApiToken.objects.filter(user=self.base.users["worker_a1" if side == "in" else "worker_x1"])
                .first()
                .pk
            ),
            "audit_event": lambda: AuditEvent.objects.order_by("pk").first().pk,
            "history": lambda: RecordHistory.objects.order_by("pk").first().pk,
            # field work's: a sync conflict is its owner's, like an import job
            "conflict": lambda: self.field_work.conflicts[USER_OF[owner]],
        }
        if kind in self.field_work.objects:
            return str(self.field_work.objects[kind][grid].pk)
        return str(values[kind]())


def _register_other_district(d: MatrixDistrict) -> None:
    areas.create_area(SYSTEM, OTHER_DISTRICT, "顺义区")
    areas.create_area(SYSTEM, GRID_X1[:9], "示例街道")
    areas.create_area(SYSTEM, GRID_X1[:12], "示例二社区", community_kind="estate")
    areas.create_area(SYSTEM, GRID_X1, "第1网格", target_households=300, target_people=800)
    areas.set_boundary(SYSTEM, GRID_X1, square(*ORIGINS[GRID_X1]), valid_from=dt.date(2024, 1, 1))
    lon, lat = point(GRID_X1)
    building = registry.save_record(
        SYSTEM,
        Building,
        {"code": f"B{GRID_X1}", "number": "1号楼", "address": "示例路2号", "lon": lon, "lat": lat},
    )
    house = registry.save_record(
        SYSTEM, House, {"building": building.pk, "unit": 1, "floor": 1, "room": "101"}
    )
    household = registry.save_record(SYSTEM, Household, {"number": f"H{GRID_X1}", "house": house.pk})
    person = registry.save_record(
        SYSTEM,
        Person,
        {
            "household": household.pk,
            "relation": "head",
            "name": "测试9",
            "id_number": make_id(dt.date(1970, 7, 9), 9, "M", region="110113"),
            "phone": "13900009999",
        },
    )
    d.buildings[GRID_X1], d.houses[GRID_X1], d.households[GRID_X1] = building, house, household
    d.people[GRID_X1] = person
    d.base.orgs[GRID_X1] = registry.save_record(
        SYSTEM, Organization, {"name": "示例物业X", "kind": "property", "lon": lon, "lat": lat}
    )
    d.base.objects[GRID_X1] = registry.save_record(
        SYSTEM,
        FacilityObject,
        {"code": f"O{GRID_X1}", "object_class": "01", "subclass": "井盖", "lon": lon, "lat": lat},
    )


def _users(d: MatrixDistrict) -> None:
    base = d.base
    accounts.grant_role(SYSTEM, base.users["department"], Role.DEPARTMENT_HANDLER, STREET_A, department=URBAN)
    for key, role, area in (
        ("worker_x1", Role.GRID_WORKER, GRID_X1),
        ("district_x", Role.DISTRICT_STAFF, OTHER_DISTRICT),
    ):
        user = accounts.create_user(SYSTEM, key, PASSWORD, display_name=key, check_password=False)
        accounts.grant_role(SYSTEM, user, role, area)
        base.users[key] = user
    accounts.issue_token(SYSTEM, base.users["worker_x1"], "outside")
    for user in base.users.values():
        forget_assignments(user)


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", PNG, content_type="image/png")


def _cases(d: MatrixDistrict) -> None:
    base = d.base
    reporters = {GRID_A1: "worker_a1", GRID_A2: "worker_a2", GRID_B1: "worker_b1", GRID_X1: "worker_x1"}
    for grid, who in reporters.items():
        lon, lat = point(grid)
        d.cases[grid] = cases.report_case(
            base.users[who],
            category="E0104",
            title="乱堆物料",
            source="patrol",
            lon=lon,
            lat=lat,
            photos=[_photo()],
        )
    lon, lat = point(GRID_A1)
    dispatched = cases.report_case(
        base.users["worker_a1"],
        category="E0104",
        title="占道经营",
        source="patrol",
        lon=lon,
        lat=lat,
        photos=[_photo()],
    )
    cases.act(base.users["centre_a"], dispatched.pk, "accept")
    cases.act(base.users["centre_a"], dispatched.pk, "dispatch", department=URBAN)
    d.dispatched = Case.objects.get(pk=dispatched.pk)
    lon, lat = point(GRID_B1)
    d.open311 = cases.report_case(
        base.users["nobody"], category="E0104", title="路灯不亮", source="open311", lon=lon, lat=lat
    )


def _per_user(d: MatrixDistrict) -> None:
    for principal in PRINCIPALS[1:]:
        user = d.user(principal)
        job = ImportJob.objects.create(
            kind="persons",
            file_format="csv",
            stored_name=f"matrix-{principal}",
            created_by=user,
            status=ImportJob.Status.DONE,
        )
        report = transfer.error_report_path(job, "csv")
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text("row,error\n", encoding="utf-8")
        d.jobs[principal] = job
        d.notes[principal] = Notification.objects.create(
            recipient=user, kind="assigned", title="示例通知", case=d.cases[GRID_A1]
        )
        # A token acts with one role: the department's handler with the dispatched department's.
        held = user.roles.filter(department=URBAN).first() if principal == "department_handler" else None
        d.tokens[principal] = accounts.issue_token(
            SYSTEM, user, "matrix", assignment_id=held.pk if held else None
        )
    d.subscriptions["in"] = notify.create_subscription(
        d.base.users["district"], name="in", url="https://hooks.example.org/in", area=GRID_A1
    )
    d.subscriptions["out"] = notify.create_subscription(
        d.base.users["district_x"], name="out", url="https://hooks.example.org/out", area=GRID_X1
    )


def build_matrix_district() -> MatrixDistrict:
    base = build_district()
    d = MatrixDistrict(base=base)
    for grid in GRIDS[:4]:
        d.buildings[grid], d.houses[grid] = base.buildings[grid], base.houses[grid]
        d.households[grid], d.people[grid] = base.households[grid], base.people[grid]
    _register_other_district(d)
    _users(d)
    elderly = KeyGroup.objects.get(code="elderly_alone")
    for grid in GRIDS:
        twin = registry.save_record(
            SYSTEM,
            Person,
            {
                "household": d.households[grid].pk,
                "relation": "other",
                "name": d.people[grid].name,
                "id_number": d.fresh_id_number(),
                "phone": "13700001111",
            },
        )
        d.twins[grid] = twin
        d.marked[grid] = registry.save_record(
            SYSTEM,
            Person,
            {
                "household": d.households[grid].pk,
                "relation": "other",
                "name": f"保密{LABELS[grid]}",
                "id_number": d.fresh_id_number(),
            },
        )
        registry.save_record(
            SYSTEM, PersonTag, {"person": twin.pk, "group": elderly.pk, "since": dt.date(2024, 1, 1)}
        )
    _cases(d)
    _per_user(d)
    keys = {key: d.base.users[key] for key in USER_OF.values()}
    d.field_work = build_field_work(d.base.users, d.twins, point, GRID_X1, conflicts_of=keys)
    return d

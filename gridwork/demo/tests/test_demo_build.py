"""The demo district: valid codes, geometry that holds together, repeatable, and the commands' rules."""

from __future__ import annotations

import base64
import hashlib
import io
import re

import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.test import Client
from django_otp.oath import totp
from shapely.geometry import Point, shape

from gridwork.accounts.models import Role, RoleAssignment, User
from gridwork.areas.geometry import GridLocator
from gridwork.areas.models import Area, AreaBoundary, Level
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.core.validators import parse_resident_id, validate_credit_code
from gridwork.demo.builder import build_demo, wipe_demo
from gridwork.demo.layout import targets
from gridwork.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRET
from gridwork.registry import choices as c
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

SCALE = 0.002
REGISTER = [Organization, Building, House, Household, Person, PersonTag, FacilityObject]


@pytest.fixture
def built(db: None) -> dict[str, int]:
    return build_demo(SCALE, seed=7, history=False)


def _current_polygons() -> dict[str, object]:
    return {b.area.code: shape(b.geojson) for b in AreaBoundary.objects.current().select_related("area")}


def test_counts_near_the_scale_targets(built: dict[str, int]) -> None:
    want = targets(SCALE)
    assert Area.objects.filter(level=Level.STREET).count() == want["streets"] == built["streets"]
    assert Area.objects.filter(level=Level.COMMUNITY).count() == want["communities"]
    assert Area.objects.filter(level=Level.GRID).count() == want["grids"]
    assert Person.objects.count() == built["person"] == want["people"]
    assert Household.objects.count() == want["households"]
    assert abs(Building.objects.count() - want["buildings"]) <= want["grids"]
    assert House.objects.count() >= Household.objects.count()
    assert Organization.objects.count() > want["grids"]
    assert FacilityObject.objects.count() > want["grids"]
    # One street and one town, both real streets of the county.
    streets = dict(Area.objects.filter(level=Level.STREET).values_list("code", "rural"))
    assert set(streets.values()) == {True, False}
    assert set(streets) <= {"110112001", "110112002", "110112104", "110112105"}
    assert Area.objects.filter(community_kind="village", code__startswith="110112104").exists()


def test_one_audit_event_and_no_per_row_history(built: dict[str, int]) -> None:
    events = AuditEvent.objects.filter(action=AuditEvent.Action.DEMO)
    assert events.count() == 1
    detail = events.get().detail
    assert detail["scale"] == SCALE and detail["seed"] == 7
    assert detail["counts"]["person"] == built["person"]
    assert not RecordHistory.objects.exists()


def test_every_id_number_is_valid_unique_and_agrees(built: dict[str, int]) -> None:
    rows = list(Person.objects.values_list("id_type", "id_number", "birth_date", "sex"))
    numbers = [r[1] for r in rows]
    assert len(set(numbers)) == len(numbers)
    residents = [r for r in rows if r[0] == c.IdType.RESIDENT_ID]
    assert len(residents) > 0.99 * len(rows)
    for _, number, birth, sex in residents:
        assert number.startswith("110112")
        assert parse_resident_id(number) == (birth, sex)
        assert 1920 <= birth.year <= 2024
    for id_type, number, _, _ in rows:
        if id_type == c.IdType.PASSPORT:
            assert re.fullmatch(r"[A-Z0-9]{5,20}", number)


def test_every_credit_code_is_valid_and_unique(built: dict[str, int]) -> None:
    codes = list(Organization.objects.exclude(credit_code=None).values_list("credit_code", flat=True))
    assert len(codes) > 0.8 * Organization.objects.count()
    assert len(set(codes)) == len(codes)
    for code in codes:
        validate_credit_code(code)
        assert code[2:8] == "110112"
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert {c.OrgKind.SHOP, c.OrgKind.ENTERPRISE, c.OrgKind.SCHOOL, c.OrgKind.PROPERTY} <= kinds


def test_phones_are_mobile_numbers(built: dict[str, int]) -> None:
    phones = list(Person.objects.exclude(phone="").values_list("phone", flat=True))
    assert phones and all(re.fullmatch(r"1[3-9]\d{9}", p) for p in phones)


def test_boundaries_tile_and_points_lie_in_their_grid(built: dict[str, int]) -> None:
    polygons = _current_polygons()
    grids = sorted(code for code in polygons if len(code) == 15)
    grid_shapes = [polygons[code] for code in grids]
    # Grids never overlap and together cover the district; each lies inside its parents.
    union = shapely.union_all(grid_shapes)
    assert sum(g.area for g in grid_shapes) == pytest.approx(union.area, rel=1e-9)
    assert union.area == pytest.approx(polygons["110112"].area, rel=1e-9)
    for code in grids:
        for parent in (code[:6], code[:9], code[:12]):
            assert polygons[parent].buffer(1e-9).covers(polygons[code])
    locator = GridLocator(grids, grid_shapes)
    for model in (Building, Organization, FacilityObject):
        rows = list(model.objects.values_list("grid_id", "lon", "lat"))
        for grid, lon, lat in rows:
            assert polygons[grid].contains(Point(lon, lat)), (model.__name__, grid)
        assert locator.locate_many([r[1] for r in rows], [r[2] for r in rows]) == [r[0] for r in rows]


def test_records_carry_the_grid_of_what_they_belong_to(built: dict[str, int]) -> None:
    assert not House.objects.exclude(grid_id=models.F("building__grid_id")).exists()
    assert not Household.objects.exclude(grid_id=models.F("house__grid_id")).exists()
    assert not Person.objects.exclude(grid_id=models.F("household__grid_id")).exists()
    assert not PersonTag.objects.exclude(grid_id=models.F("person__grid_id")).exists()
    # Every household has a head who lives in it; houses fit in their building.
    assert not Household.objects.filter(head=None).exists()
    assert not Household.objects.exclude(head__household_id=models.F("id")).exists()
    assert not House.objects.filter(floor__gt=models.F("building__floors")).exists()
    assert Person.objects.filter(relation=c.Relation.HEAD).count() == Household.objects.count()


def test_register_looks_like_a_district(built: dict[str, int]) -> None:
    people = Person.objects.count()
    party = Person.objects.filter(political_status=c.PoliticalStatus.PARTY_MEMBER).count()
    assert 0.05 < party / people < 0.11
    floating = Person.objects.filter(residence_type=c.ResidenceType.FLOATING).count()
    assert 0.05 < floating / people < 0.4
    assert Person.objects.filter(sex="F").count() / people == pytest.approx(0.5, abs=0.08)
    groups = set(PersonTag.objects.values_list("group__code", flat=True))
    assert {"elderly_alone", "disabled", "veteran"} <= groups
    assert groups <= set(KeyGroup.objects.values_list("code", flat=True))
    assert PersonTag.objects.count() < 0.3 * people
    assert set(FacilityObject.objects.values_list("object_class", flat=True)) <= set(c.ObjectClass.values)


def _digest() -> str:
    """A hash of every row the demo writes, leaving out keys and times the database assigns."""
    h = hashlib.sha256()
    assigned_keys = {AreaBoundary, RoleAssignment}
    for model in [Area, AreaBoundary, User, RoleAssignment, *REGISTER]:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)
            # roles_version counts role changes: a rebuild changes the roles again.
            and f.name not in {"date_joined", "last_login", "roles_version"}
            and not (model in assigned_keys and f.primary_key)
        ]
        order = {AreaBoundary: ["area__code"], RoleAssignment: ["user__username", "role"]}.get(model, ["pk"])
        for row in model._default_manager.order_by(*order).values_list(*names):
            h.update(repr(row).encode())
    return h.hexdigest()


@pytest.mark.django_db
def test_same_seed_same_district_other_seed_other_district() -> None:
    build_demo(0.001, seed=3, history=False)
    first = _digest()
    wipe_demo()
    build_demo(0.001, seed=3, history=False)
    assert _digest() == first
    wipe_demo()
    build_demo(0.001, seed=4, history=False)
    assert _digest() != first


@pytest.mark.django_db
def test_if_empty_builds_once() -> None:
    out = io.StringIO()
    call_command("demo", scale=0.001, if_empty=True, register_only=True, stdout=out)
    assert "people:" in out.getvalue()
    people = Person.objects.count()
    out = io.StringIO()
    call_command("demo", scale=0.002, if_empty=True, register_only=True, stdout=out)
    assert "not built again" in out.getvalue()
    assert Person.objects.count() == people
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DEMO).count() == 1


@pytest.mark.django_db
def test_refuses_without_force_and_rebuilds_with_it() -> None:
    call_command("demo", scale=0.001, register_only=True, stdout=io.StringIO())
    with pytest.raises(CommandError, match="--force"):
        call_command("demo", scale=0.001, register_only=True, stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo", scale=0.002, seed=9, force=True, register_only=True, stdout=out)
    assert "wiped:" in out.getvalue()
    assert Person.objects.count() == targets(0.002)["people"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DEMO).count() == 2
    # Demo users are refreshed in place, not duplicated.
    assert User.objects.filter(username="demo_admin").count() == 1


@pytest.mark.django_db
def test_scale_out_of_range_is_refused() -> None:
    with pytest.raises(CommandError, match="scale"):
        call_command("demo", scale=5, register_only=True, stdout=io.StringIO())
    assert not Area.objects.exists()


def test_a_demo_user_for_every_role(built: dict[str, int]) -> None:
    roles = set(
        RoleAssignment.objects.filter(user__username__startswith="demo_").values_list("role", flat=True)
    )
    assert roles == set(Role.values)
    grids = set(Area.objects.filter(level=Level.GRID).values_list("code", flat=True))
    worker_grids = set(RoleAssignment.objects.filter(role=Role.GRID_WORKER).values_list("area_id", flat=True))
    assert worker_grids == grids
    assert Client().login(username="demo_gw1", password=DEMO_PASSWORD)


def test_grid_worker_sees_only_their_grid(built: dict[str, int]) -> None:
    worker = User.objects.get(username="demo_gw2")
    grid = RoleAssignment.objects.get(user=worker).area_id
    visible = Person.objects.visible_to(worker)
    assert visible.count() == Person.objects.filter(grid_id=grid).count() > 0
    assert set(visible.values_list("grid_id", flat=True)) == {grid}
    street = User.objects.get(username="demo_street")
    street_code = RoleAssignment.objects.get(user=street).area_id
    assert (
        Person.objects.visible_to(street).count()
        == Person.objects.filter(grid__code__startswith=street_code).count()
    )
    assert (
        Person.objects.visible_to(User.objects.get(username="demo_district")).count()
        == Person.objects.count()
    )
    assert not Person.objects.visible_to(User.objects.get(username="demo_admin")).exists()
    assert not Person.objects.visible_to(User.objects.get(username="demo_auditor")).exists()


def test_demo_logins_prints_the_table(built: dict[str, int]) -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for username in ("demo_admin", "demo_auditor", "demo_district", "demo_street", "demo_centre", "demo_gw1"):
        assert username in text
    assert DEMO_PASSWORD in text
    assert DEMO_TOTP_SECRET in text
    assert "more grid workers" in text
    out = io.StringIO()
    call_command("demo_logins", all=True, stdout=out)
    assert f"demo_gw{built['grids']} " in out.getvalue()


def test_demo_users_who_may_reveal_sign_in_with_the_published_secret(built: dict[str, int]) -> None:
    client = Client()
    response = client.post("/login/", {"username": "demo_street", "password": DEMO_PASSWORD, "next": "/"})
    assert response.status_code == 302 and response.url.startswith("/login/code/")
    code = f"{totp(base64.b32decode(DEMO_TOTP_SECRET)):06d}"
    assert client.post("/login/code/", {"code": code, "next": "/"}).status_code == 302
    assert client.get("/").wsgi_request.user.is_verified()
    # Roles that neither reveal nor export sign in with the password alone.
    member = Client()
    assert member.post("/login/", {"username": "demo_member", "password": DEMO_PASSWORD}).status_code == 302
    assert member.get("/").wsgi_request.user.username == "demo_member"


@pytest.mark.django_db
def test_force_wipe_takes_the_cases_on_the_demo_district_with_it() -> None:
    from gridwork.cases.models import Case, Category
    from gridwork.cases.services import report_case
    from gridwork.core.system import SYSTEM

    build_demo(0.001, seed=5, history=False)
    person = Person.objects.filter(status=c.PersonStatus.LIVING).first()
    leaf = Category.objects.active().leaves().first()
    report_case(SYSTEM, category=leaf.code, title="路灯不亮", source="patrol", person_id=person.pk)
    assert Case.objects.count() == 1
    wipe_demo()
    assert Case.objects.count() == 0
    assert not Person.objects.exists()
    assert not Area.objects.exists()

"""Roles held at areas, with dates; who may grant and revoke them; accounts managed by the sysadmin only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridwork.accounts import services
from gridwork.accounts.access import (
    REGISTER_CHANGE,
    REGISTER_VIEW,
    active_assignments,
    can,
    forget_assignments,
    has_capability,
    minimal_codes,
    roles_of,
    scope_codes,
)
from gridwork.accounts.models import Role, RoleAssignment, User
from gridwork.accounts.tests.login_helpers import fail_logins, refused
from gridwork.areas import services as areas
from gridwork.conftest import COMMUNITY_A, GRID_A1, GRID_A2, GRID_B1, PASSWORD, STREET_A, District
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.core.system import SYSTEM
from gridwork.registry.models import Person

TODAY = timezone.localdate()


def fresh_user(name: str) -> User:
    return services.create_user(SYSTEM, name, PASSWORD, check_password=False)


def test_capabilities_follow_the_role_and_its_area(district: District) -> None:
    worker = district.users["worker_a1"]
    assert scope_codes(worker, REGISTER_VIEW) == [GRID_A1]
    assert can(worker, REGISTER_CHANGE, GRID_A1)
    assert not can(worker, REGISTER_CHANGE, GRID_A2)
    assert not can(worker, REGISTER_VIEW, COMMUNITY_A)  # a grid worker does not reach up
    street = district.users["street_a"]
    assert can(street, REGISTER_VIEW, GRID_A2) and not can(street, REGISTER_CHANGE, GRID_A2)
    for who in ("admin", "auditor", "department", "nobody"):
        assert not has_capability(district.users[who], REGISTER_VIEW), who
    assert minimal_codes({GRID_A1, COMMUNITY_A, GRID_B1}) == [COMMUNITY_A, GRID_B1]


def test_several_roles_add_up(district: District) -> None:
    user = fresh_user("two_grids")
    services.grant_role(SYSTEM, user, Role.GRID_WORKER, GRID_A1)
    services.grant_role(SYSTEM, user, Role.GRID_WORKER, GRID_B1)
    assert sorted(Person.objects.visible_to(user).values_list("grid_id", flat=True)) == [GRID_A1, GRID_B1]
    assert roles_of(user) == {Role.GRID_WORKER}


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "active"),
    [
        (None, None, True),
        (TODAY - dt.timedelta(days=30), TODAY, True),  # the last day still counts
        (TODAY, None, True),
        (None, TODAY - dt.timedelta(days=1), False),  # expired
        (TODAY + dt.timedelta(days=1), None, False),  # not yet
    ],
)
def test_role_dates_are_honoured(
    district: District, valid_from: dt.date | None, valid_to: dt.date | None, active: bool
) -> None:
    user = fresh_user("dated")
    services.grant_role(SYSTEM, user, Role.STREET_STAFF, STREET_A, valid_from=valid_from, valid_to=valid_to)
    assert bool(active_assignments(user)) is active
    assert Person.objects.visible_to(user).exists() is active
    assert can(user, REGISTER_VIEW, GRID_A1) is active


def test_expiry_applies_to_an_existing_role(district: District) -> None:
    worker = district.users["worker_a1"]
    RoleAssignment.objects.filter(user=worker).update(valid_to=TODAY - dt.timedelta(days=1))
    forget_assignments(worker)
    assert Person.objects.visible_to(worker).count() == 0
    assert not has_capability(worker, REGISTER_CHANGE)


def test_only_a_sysadmin_grants_and_only_within_its_area(district: District) -> None:
    target = fresh_user("new_worker")
    for who in ("district", "centre_a", "auditor", "nobody"):
        with pytest.raises(PermissionDenied):
            services.grant_role(district.users[who], target, Role.GRID_WORKER, GRID_A1)
    areas.create_area(SYSTEM, "110113", "另一区")
    with pytest.raises(PermissionDenied):
        services.grant_role(district.users["admin"], target, Role.GRID_WORKER, "110113")
    assert not RoleAssignment.objects.filter(user=target).exists()
    assignment = services.grant_role(district.users["admin"], target, Role.GRID_WORKER, GRID_A1)
    assert assignment.granted_by == district.users["admin"]
    event = AuditEvent.objects.get(action="role_grant", object_id=str(assignment.pk))
    assert (event.actor, event.area_code, event.detail) == (
        district.users["admin"],
        GRID_A1,
        {"user": "new_worker", "role": Role.GRID_WORKER},
    )


def test_a_sysadmin_cannot_give_itself_a_role(district: District) -> None:
    admin = district.users["admin"]
    with pytest.raises(PermissionDenied):
        services.grant_role(admin, admin, Role.DISTRICT_STAFF, "110112")
    assert Person.objects.visible_to(admin).count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "mayor", "area_code": GRID_A1}, "role"),
        ({"role": Role.GRID_WORKER, "area_code": "110112999999999"}, "area"),
        (
            {
                "role": Role.GRID_WORKER,
                "area_code": GRID_A1,
                "valid_from": TODAY,
                "valid_to": TODAY - dt.timedelta(1),
            },
            "valid_to",
        ),
    ],
)
def test_bad_grants_are_refused_by_field(district: District, kwargs: dict, field: str) -> None:
    target = fresh_user("someone")
    with pytest.raises(ValidationError) as info:
        services.grant_role(district.users["admin"], target, **kwargs)
    assert field in info.value.message_dict
    assert not RoleAssignment.objects.filter(user=target).exists()


def test_revoke(district: District) -> None:
    worker = district.users["worker_a1"]
    assignment = RoleAssignment.objects.get(user=worker)
    with pytest.raises(PermissionDenied):
        services.revoke_role(district.users["centre_a"], assignment.pk)
    services.revoke_role(district.users["admin"], assignment.pk)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(action="role_revoke", area_code=GRID_A1).exists()
    assert Person.objects.visible_to(User.objects.get(pk=worker.pk)).count() == 0


def test_create_user_is_for_the_sysadmin(district: District) -> None:
    with pytest.raises(PermissionDenied):
        services.create_user(district.users["district"], "sneaky", PASSWORD)
    with pytest.raises(ValidationError) as info:
        services.create_user(district.users["admin"], "worker_a1", PASSWORD)
    assert "username" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.create_user(district.users["admin"], "weak", "12345")
    assert "password" in info.value.message_dict
    assert not User.objects.filter(username__in=["sneaky", "weak"]).exists()
    user = services.create_user(district.users["admin"], "fresh", PASSWORD, display_name="新人")
    assert user.check_password(PASSWORD) and not user.is_staff and not user.is_superuser
    assert AuditEvent.objects.filter(
        action="create", object_type="accounts.user", object_id=str(user.pk)
    ).exists()


def test_update_user_unlocks_and_switches_off(district: District, settings: Any) -> None:
    worker = district.users["worker_a1"]
    settings.LOGIN_MAX_FAILURES = 2
    fail_logins("worker_a1", 2)
    assert refused("worker_a1")
    with pytest.raises(PermissionDenied):
        services.update_user(district.users["centre_a"], worker, unlock=True)
    services.update_user(district.users["admin"], worker, unlock=True, display_name="王网格员")
    worker.refresh_from_db()
    assert worker.display_name == "王网格员" and not refused("worker_a1")
    event = AuditEvent.objects.get(action="update", object_type="accounts.user", object_id=str(worker.pk))
    assert event.detail == {"fields": ["display_name", "login_throttle"]}
    services.update_user(district.users["admin"], worker, is_active=False)
    worker.refresh_from_db()
    assert not worker.is_active
    with pytest.raises(ValidationError) as info:
        services.update_user(district.users["admin"], worker, phone="12345")
    assert "phone" in info.value.message_dict


def test_a_sysadmin_manages_only_accounts_within_its_area(district: District) -> None:
    areas.create_area(SYSTEM, "110113", "另一区")
    outsider = fresh_user("outsider")
    services.grant_role(SYSTEM, outsider, Role.DISTRICT_STAFF, "110113")
    admin = district.users["admin"]
    managed = set(services.manageable_users(admin).values_list("username", flat=True))
    assert "outsider" not in managed
    assert {"worker_a1", "nobody", "admin"} <= managed
    with pytest.raises(NotFound):
        services.update_user(admin, outsider, is_active=False)
    assert User.objects.get(pk=outsider.pk).is_active

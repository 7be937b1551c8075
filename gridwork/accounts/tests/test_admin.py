"""Accounts in the back office: the system administrator alone, within its area, through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gridwork.accounts.models import LoginThrottle, Role, RoleAssignment, User
from gridwork.accounts.tests.login_helpers import fail_logins, refused
from gridwork.areas import services as areas
from gridwork.conftest import GRID_A1, PASSWORD, District
from gridwork.core.models import AuditEvent
from gridwork.core.system import SYSTEM

USERS = reverse("admin:accounts_user_changelist")
ROLES = reverse("admin:accounts_roleassignment_changelist")
ADD_USER = reverse("admin:accounts_user_add")
ADD_ROLE = reverse("admin:accounts_roleassignment_add")


@pytest.mark.parametrize("who", ["centre_a", "street_a", "district", "auditor"])
def test_only_the_sysadmin_manages_accounts(district: District, who: str) -> None:
    client = district.client(who)
    for target in (
        USERS,
        ROLES,
        ADD_USER,
        ADD_ROLE,
        reverse("admin:accounts_user_change", args=[district.users["worker_a1"].pk]),
    ):
        assert client.get(target).status_code == 403, target


def test_sysadmin_lists_users_and_roles_in_its_area(district: District) -> None:
    areas.create_area(SYSTEM, "110113", "另一区")
    from gridwork.accounts import services

    outsider = services.create_user(SYSTEM, "outsider", PASSWORD, check_password=False)
    services.grant_role(SYSTEM, outsider, Role.DISTRICT_STAFF, "110113")
    client = district.client("admin")
    users = {u.username for u in client.get(USERS).context["cl"].result_list}
    assert users == set(district.users)
    roles = client.get(ROLES).context["cl"].result_list
    assert all(r.area_id.startswith("110112") for r in roles) and len(roles) == len(district.users) - 1
    assert client.get(reverse("admin:accounts_user_change", args=[outsider.pk])).status_code == 404
    page = client.get(
        reverse("admin:accounts_user_change", args=[district.users["worker_a1"].pk])
    ).content.decode()
    assert "md5$" not in page  # the password hash never shows


def test_create_user_through_the_service(district: District) -> None:
    client = district.client("admin")
    base = {"username": "new_centre", "display_name": "新受理员", "email": "", "phone": ""}
    response = client.post(ADD_USER, {**base, "password": PASSWORD, "password_again": PASSWORD + "x"})
    assert "password_again" in response.context["adminform"].form.errors
    response = client.post(ADD_USER, {**base, "password": "123", "password_again": "123"})
    assert "password" in response.context["adminform"].form.errors
    response = client.post(
        ADD_USER, {**base, "username": "worker_a1", "password": PASSWORD, "password_again": PASSWORD}
    )
    assert "username" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="new_centre").exists()
    response = client.post(ADD_USER, {**base, "password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new_centre")
    assert user.check_password(PASSWORD) and not user.is_staff and not user.is_superuser
    assert AuditEvent.objects.filter(
        action="create", object_type="accounts.user", object_id=str(user.pk)
    ).exists()


def test_change_user_switches_off_and_unlocks(district: District, settings: Any) -> None:
    worker = district.users["worker_a1"]
    settings.LOGIN_MAX_FAILURES = 1
    fail_logins("worker_a1", 1)
    assert refused("worker_a1")
    change = reverse("admin:accounts_user_change", args=[worker.pk])
    response = district.client("admin").post(
        change,
        {
            "display_name": "网格员",
            "email": "",
            "phone": "",
            "is_active": "",
            "unlock": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    worker.refresh_from_db()
    assert (worker.is_active, worker.display_name) == (False, "网格员")
    assert not LoginThrottle.objects.filter(blocked_until__isnull=False).exists()
    assert AuditEvent.objects.filter(
        action="update", object_type="accounts.user", object_id=str(worker.pk)
    ).exists()
    assert (
        district.client("admin").get(reverse("admin:accounts_user_delete", args=[worker.pk])).status_code
        == 403
    )


def test_grant_and_revoke_through_the_service(district: District) -> None:
    client = district.client("admin")
    target = district.users["nobody"]
    response = client.post(
        ADD_ROLE,
        {
            "user": target.pk,
            "role": Role.GRID_WORKER,
            "area": GRID_A1,
            "department": "",
            "valid_from": "",
            "valid_to": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assignment = RoleAssignment.objects.get(user=target)
    assert (assignment.role, assignment.area_id, assignment.granted_by) == (
        Role.GRID_WORKER,
        GRID_A1,
        district.users["admin"],
    )
    assert AuditEvent.objects.filter(action="role_grant", object_id=str(assignment.pk)).exists()
    delete = reverse("admin:accounts_roleassignment_delete", args=[assignment.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(action="role_revoke", object_id=str(assignment.pk)).exists()
    # A role is never edited in place.
    other = RoleAssignment.objects.filter(user=district.users["worker_a1"]).get()
    change = reverse("admin:accounts_roleassignment_change", args=[other.pk])
    assert client.post(change, {"role": Role.DISTRICT_STAFF}).status_code == 403


def test_refused_grants_show_on_the_form(district: District) -> None:
    client = district.client("admin")
    areas.create_area(SYSTEM, "110113", "另一区")
    base = {"department": "", "valid_from": "", "valid_to": ""}
    count = RoleAssignment.objects.count()
    # Its own account: refused by the service.
    response = client.post(
        ADD_ROLE, {**base, "user": district.users["admin"].pk, "role": Role.DISTRICT_STAFF, "area": "110112"}
    )
    assert response.status_code == 200 and response.context["adminform"].form.non_field_errors()
    # An area outside its reach is not among the choices.
    response = client.post(
        ADD_ROLE, {**base, "user": district.users["nobody"].pk, "role": Role.GRID_WORKER, "area": "110113"}
    )
    assert "area" in response.context["adminform"].form.errors
    response = client.post(
        ADD_ROLE,
        {
            **base,
            "user": district.users["nobody"].pk,
            "role": Role.GRID_WORKER,
            "area": GRID_A1,
            "valid_from": "2025-02-01",
            "valid_to": "2025-01-01",
        },
    )
    assert "valid_to" in response.context["adminform"].form.errors
    assert RoleAssignment.objects.count() == count

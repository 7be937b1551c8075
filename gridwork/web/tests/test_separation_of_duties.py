"""Separation of duties, as ladders over the roles: the system administrator manages accounts and sees
no personal data; the auditor reads the audit log and nothing else; business roles neither read nor
change the audit log; nobody grants a role to themselves."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gridwork.accounts import services
from gridwork.accounts.models import Role, RoleAssignment
from gridwork.conftest import GRID_A1, USERS, District
from gridwork.core import audit
from gridwork.core.models import AuditEvent

API = "/api/v1"
BUSINESS = ["member_a1", "worker_a1", "centre_a", "street_a", "district", "department", "nobody"]


def _personal_pages(district: District) -> list[str]:
    person, household = district.people[GRID_A1], district.households[GRID_A1]
    return [
        f"/people/{person.pk}/",
        f"/households/{household.pk}/",
        f"/buildings/{district.buildings[GRID_A1].pk}/",
        f"/areas/{GRID_A1}/people/",
        f"/areas/{GRID_A1}/export/persons/?format=csv",
        "/cases/",
        "/duplicates/",
    ]


def _personal_api(district: District) -> list[str]:
    person, household = district.people[GRID_A1], district.households[GRID_A1]
    return [
        f"{API}/persons/{person.pk}",
        f"{API}/households/{household.pk}",
        f"{API}/exports/persons?area={GRID_A1}&format=csv",
    ]


@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_sysadmin_and_auditor_see_no_personal_data(district: District, who: str) -> None:
    client = district.client(who)
    person = district.people[GRID_A1]
    for url in _personal_pages(district):
        response = client.get(url)
        assert response.status_code in (403, 404), (who, url, response.status_code)
        assert person.name not in response.content.decode(), (who, url)
    for url in _personal_api(district):
        assert client.get(url).status_code in (403, 404), (who, url)
    for url in (f"{API}/persons", f"{API}/households", f"{API}/cases"):
        response = client.get(url)
        assert response.status_code in (200, 403), (who, url)
        if response.status_code == 200:
            assert response.json()["count"] == 0, (who, url)
    reveal = client.post(
        f"{API}/persons/{person.pk}/reveal", {"reason": "只是看看而已"}, content_type="application/json"
    )
    assert reveal.status_code in (403, 404)
    assert not AuditEvent.objects.filter(action__in=["reveal", "export"]).exists()


def test_the_sysadmin_manages_accounts(district: District) -> None:
    client = district.client("admin")
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_roleassignment_changelist")).status_code == 200
    assert client.get("/audit/").status_code == 403  # the audit log is the auditor's
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 403


def test_the_auditor_reads_the_audit_log_and_changes_nothing(district: District) -> None:
    event = audit.log(AuditEvent.Action.LOGIN, district.users["worker_a1"])
    client = district.client("auditor")
    assert client.get("/audit/").status_code == 200
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    change = reverse("admin:core_auditevent_change", args=[event.pk])
    delete = reverse("admin:core_auditevent_delete", args=[event.pk])
    assert client.post(change, {"reason": "edited"}).status_code in (200, 403)
    assert client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.reason == "" and AuditEvent.objects.filter(pk=event.pk).exists()
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_roleassignment_changelist")).status_code == 403


@pytest.mark.parametrize("who", BUSINESS)
def test_business_roles_neither_read_nor_change_the_audit_log(district: District, who: str) -> None:
    event = audit.log(AuditEvent.Action.LOGIN, district.users["worker_a1"])
    client = district.client(who)
    assert client.get("/audit/").status_code in (302, 403)
    for url in (
        reverse("admin:core_auditevent_changelist"),
        reverse("admin:core_auditevent_change", args=[event.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), (who, url)
        assert "worker_a1" not in response.content.decode()
    client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("who", [key for key, grant in USERS.items() if grant is not None])
def test_nobody_grants_a_role_to_themselves(district: District, who: str) -> None:
    user = district.users[who]
    before = RoleAssignment.objects.count()
    with pytest.raises(PermissionDenied):
        services.grant_role(user, user, Role.DISTRICT_STAFF, "110112")
    response = district.client(who).post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": user.pk, "role": Role.DISTRICT_STAFF, "area": "110112", "department": ""},
    )
    assert response.status_code in (200, 302, 403)
    assert RoleAssignment.objects.count() == before

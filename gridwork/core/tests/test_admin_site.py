"""The back-office site: who gets in (roles, never Django's staff or superuser flags), every admin
URL guarded, and the audit log read-only for auditors within their areas."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from gridwork.accounts import services as accounts
from gridwork.accounts.admin_site import is_back_office, site
from gridwork.accounts.models import Role, RoleAssignment
from gridwork.conftest import GRID_A1, GRID_B1, PASSWORD, STREET_B, District
from gridwork.core import audit
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.core.system import SYSTEM

BACK_OFFICE = {"centre_a", "street_a", "street_b", "district", "auditor", "admin"}
LOGIN = reverse("admin:login")


def _sample(converter: str) -> str:
    return "1" if converter in {"int", "path", "str"} else "x"


def admin_urls() -> list[str]:
    """One concrete URL for every pattern of the admin site, placeholders filled with samples."""
    urls: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                full = prefix + route
                full = re.sub(r"<(?:(\w+):)?\w+>", lambda m: _sample(m.group(1) or "str"), full)
                full = full.lstrip("^").rstrip("$")
                urls.append("/admin/" + full)

    walk(site.get_urls(), "")
    return urls


def test_back_office_roles_only(district: District) -> None:
    admitted = {key for key, user in district.users.items() if is_back_office(user)}
    assert admitted == BACK_OFFICE
    assert not is_back_office(None)


@pytest.mark.parametrize("who", [None, "nobody", "worker_a1", "member_a1", "department"])
def test_every_admin_url_is_closed_to_outsiders(district: District, who: str | None) -> None:
    client = district.client(who)
    urls = admin_urls()
    assert len(urls) > 40  # the model admins are registered
    for url in urls:
        if url.startswith(LOGIN) or url.startswith(reverse("admin:logout")):
            continue
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN), url


def test_superuser_and_staff_flags_grant_nothing(district: District) -> None:
    nobody = district.users["nobody"]
    nobody.is_staff = nobody.is_superuser = True
    nobody.save()
    client = district.client("nobody")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    # A back-office user with the flags keeps exactly its role's reach.
    centre = district.users["centre_a"]
    centre.is_staff = centre.is_superuser = True
    centre.save()
    client = district.client("centre_a")
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 403
    person_b = district.people[GRID_B1]
    assert client.get(reverse("admin:registry_person_change", args=[person_b.pk])).status_code == 404


def test_expired_back_office_role_shuts_the_door(district: District) -> None:
    RoleAssignment.objects.filter(user=district.users["centre_a"]).update(
        valid_to=timezone.localdate() - dt.timedelta(days=1)
    )
    response = district.client("centre_a").get("/admin/")
    assert response.status_code == 302


def test_login_form_admits_back_office_roles_and_is_audited(district: District) -> None:
    client = Client()
    response = client.post(LOGIN, {"username": "nobody", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    response = client.post(LOGIN, {"username": "worker_a1", "password": PASSWORD, "next": "/admin/"})
    assert "_auth_user_id" not in client.session
    response = client.post(LOGIN, {"username": "centre_a", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(district.users["centre_a"].pk)
    assert AuditEvent.objects.filter(action="login", actor=district.users["centre_a"]).exists()
    client.post(LOGIN, {"username": "centre_a", "password": "wrong", "next": "/admin/"})
    assert AuditEvent.objects.filter(action="login_failed", actor_label="centre_a").exists()


def test_view_on_site_shortcut_is_gone(district: District) -> None:
    person = district.people[GRID_A1]
    response = district.client("centre_a").get(f"/admin/r/1/{person.pk}/")
    assert response.status_code == 404


def test_index_shows_each_role_its_own_models(district: District) -> None:
    def models_on_index(who: str) -> set[str]:
        response = district.client(who).get("/admin/")
        assert response.status_code == 200
        return {
            app["app_label"] + "." + m["object_name"]
            for app in response.context["app_list"]
            for m in app["models"]
        }

    assert models_on_index("admin") == {"accounts.User", "accounts.RoleAssignment", "accounts.ApiToken"}
    assert models_on_index("auditor") == {"core.AuditEvent", "core.RecordHistory"}
    centre = models_on_index("centre_a")
    assert "registry.Person" in centre and "areas.Area" in centre
    assert not centre & {"accounts.User", "core.AuditEvent"}
    assert "registry.Person" in models_on_index("street_a")


# --- the audit log -----------------------------------------------------------------------------------


def test_auditor_reads_the_log_read_only(district: District) -> None:
    client = district.client("auditor")
    changelist = reverse("admin:core_auditevent_changelist")
    response = client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count == AuditEvent.objects.count()
    event = AuditEvent.objects.filter(area_code=GRID_A1).first()
    change = reverse("admin:core_auditevent_change", args=[event.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.post(change, {"reason": "x"}).status_code == 403
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    assert (
        client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("who", ["centre_a", "street_a", "district", "admin"])
def test_only_auditors_read_the_log(district: District, who: str) -> None:
    client = district.client(who)
    for name in ("core_auditevent_changelist", "core_recordhistory_changelist"):
        assert client.get(reverse(f"admin:{name}")).status_code == 403


def test_history_shows_masked_values_to_the_auditor(district: District) -> None:
    person = district.people[GRID_A1]
    entry = RecordHistory.objects.get(
        object_type="registry.person", object_id=str(person.pk), action="create"
    )
    # The log keeps the value, encrypted as in the register (core.audit.sealed).
    assert entry.after["id_number"] != person.id_number
    assert audit.history_values(entry)[1]["id_number"] == person.id_number
    page = district.client("auditor").get(reverse("admin:core_recordhistory_change", args=[entry.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert person.id_number not in html and person.phone not in html
    assert person.id_number_masked in html and person.phone_masked in html


def test_street_auditor_sees_its_street_only(district: District) -> None:
    auditor = accounts.create_user(SYSTEM, "auditor_b", PASSWORD, check_password=False)
    accounts.grant_role(SYSTEM, auditor, Role.AUDITOR, STREET_B)
    client = Client()
    client.force_login(auditor)
    response = client.get(reverse("admin:core_recordhistory_changelist"))
    codes = {entry.area_code for entry in response.context["cl"].result_list}
    assert codes and all(code.startswith(STREET_B) for code in codes)
    response = client.get(reverse("admin:core_auditevent_changelist"), {"p": 0})
    assert all(e.area_code.startswith(STREET_B) for e in response.context["cl"].queryset)
    other = RecordHistory.objects.filter(area_code=GRID_A1).first()
    assert client.get(reverse("admin:core_recordhistory_change", args=[other.pk])).status_code == 404
    # Logins carry no area: a district auditor reads them, a street auditor does not.
    login = AuditEvent.objects.create(action="login", actor_label="someone")
    assert client.get(reverse("admin:core_auditevent_change", args=[login.pk])).status_code == 404
    district_auditor = district.client("auditor")
    assert district_auditor.get(reverse("admin:core_auditevent_change", args=[login.pk])).status_code == 200


def test_url_lookups_outside_the_offered_filters_are_refused(district: District, settings: Any) -> None:
    client = district.client("auditor")
    url = reverse("admin:core_auditevent_changelist")
    assert client.get(url, {"action__exact": "login"}).status_code == 200
    assert client.get(url, {"detail__icontains": "x"}).status_code == 400

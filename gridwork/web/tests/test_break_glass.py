"""Break the glass, as a ladder: anonymous, no role, a role not allowed, another street, the
record's own street; before the grant 404, after it 200 for that record only, after three hours
404 again. Refusals answer alike whether or not the record exists; everything is logged and the
auditor's home page lists the grant."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gridwork.accounts import services as accounts
from gridwork.accounts.models import GlassBreak
from gridwork.api.tests.conftest import API, token_client
from gridwork.conftest import GRID_A1, GRID_A2, GRID_B1, District
from gridwork.core.models import AuditEvent
from gridwork.core.system import SYSTEM
from gridwork.registry.break_glass import break_glass, refusal_message
from gridwork.registry.models import Person
from gridwork.web.tests.helpers import assert_login_redirect, html

REASON = "走失人员紧急查找，社区民警已通知"
FORM = "/break-glass/"


@pytest.fixture
def protected(district: District) -> Person:
    return district.people[GRID_A1]  # tagged "community correction": highly sensitive


def ask(district: District, who: str, identifier: str, reason: str = REASON) -> Any:
    return district.client(who).post(FORM, {"identifier": identifier, "reason": reason})


def test_who_may_ask(district: District) -> None:
    assert_login_redirect(district.client(None).get(FORM))
    for who in ("nobody", "member_a1", "worker_b1", "centre_a", "department", "auditor", "admin"):
        assert district.client(who).get(FORM).status_code == 403, who
    for who in ("street_b", "district"):
        assert district.client(who).get(FORM).status_code == 200, who
    # In Chinese by default, in English on request.
    client = district.client("street_b")
    assert "紧急调阅" in html(client.get(FORM))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Break the glass" in html(client.get(FORM))


def test_the_ladder_before_during_and_after(district: District, protected: Person) -> None:
    page = f"/people/{protected.pk}/"
    other = f"/people/{district.people[GRID_A2].pk}/"
    street_b = district.client("street_b")
    assert district.client("street_a").get(page).status_code == 200  # its own street: always
    assert street_b.get(page).status_code == 404
    assert district.client("worker_b1").get(page).status_code == 404

    response = ask(district, "street_b", protected.id_number)
    assert response.status_code == 302 and response["Location"] == page
    assert street_b.get(page).status_code == 200
    # That record only: not its neighbour, not its household, not its grid's list.
    assert street_b.get(other).status_code == 404
    assert street_b.get(f"/households/{protected.household_id}/").status_code == 404
    assert street_b.get(f"/areas/{GRID_A1}/people/").status_code == 404
    # Nor for anyone else, who holds no grant.
    assert district.client("worker_b1").get(page).status_code == 404
    assert district.client("district").get(page).status_code == 200  # in the district's scope anyway

    grant = GlassBreak.objects.get()
    assert grant.user == district.users["street_b"] and grant.object_id == str(protected.pk)
    assert grant.until - grant.opened_at == dt.timedelta(hours=3)
    entry = AuditEvent.objects.get(action=AuditEvent.Action.BREAK_GLASS)
    assert entry.reason == REASON and entry.object_id == str(protected.pk) and entry.detail["granted"]
    read = AuditEvent.objects.filter(action=AuditEvent.Action.READ, actor_label="street_b").first()
    assert read is not None and read.detail == {"break_glass": True}


def test_a_grant_runs_out_after_three_hours(district: District, protected: Person) -> None:
    street_b = district.client("street_b")
    opened = timezone.now() - dt.timedelta(hours=3, minutes=1)
    outcome = break_glass(district.users["street_b"], str(protected.pk), REASON, now=opened)
    assert outcome.grant is not None and outcome.grant.until < timezone.now()
    assert street_b.get(f"/people/{protected.pk}/").status_code == 404
    still = break_glass(district.users["street_b"], str(protected.pk), REASON, now=timezone.now())
    assert still.grant is not None
    assert street_b.get(f"/people/{protected.pk}/").status_code == 200


def test_lists_counts_and_api_lists_do_not_widen(district: District, protected: Person) -> None:
    user = district.users["street_b"]
    before = (
        Person.objects.visible_to(user).count(),
        Person.objects.visible_to(user).in_area(GRID_A1).count(),
    )
    break_glass(user, protected.id_number, REASON)
    assert (
        Person.objects.visible_to(user).count(),
        Person.objects.visible_to(user).in_area(GRID_A1).count(),
    ) == (before)
    assert list(Person.objects.visible_to(user, opening=protected.pk)) == [protected]
    assert not Person.objects.visible_to(user, opening=district.people[GRID_A2].pk).exists()
    assert not Person.objects.visible_to(
        district.users["street_a"], opening=district.people[GRID_B1].pk
    ).exists()
    api = token_client(user)
    assert api.get(f"{API}/persons/{protected.pk}").status_code == 200
    listed = api.get(f"{API}/persons", {"limit": 100}).json()["items"]
    assert protected.pk not in {item["id"] for item in listed}


def test_a_grant_ends_with_the_role_that_allowed_it(district: District, protected: Person) -> None:
    user = district.users["street_b"]
    break_glass(user, protected.id_number, REASON)
    assert district.client("street_b").get(f"/people/{protected.pk}/").status_code == 200
    assignment = user.roles.get()
    accounts.revoke_role(SYSTEM, assignment.pk)
    accounts.grant_role(SYSTEM, user, "grid_worker", GRID_B1)
    assert district.client("street_b").get(f"/people/{protected.pk}/").status_code == 404


def test_refusals_answer_alike_and_are_logged(district: District, protected: Person) -> None:
    not_protected = district.people[GRID_A2]
    answers = []
    for identifier in ("110112196001010000", "999999", str(not_protected.pk), not_protected.id_number, "x"):
        response = ask(district, "street_b", identifier)
        assert response.status_code == 200
        assert refusal_message() in html(response)
        answers.append(response.context["form"].errors.as_data()["__all__"][0].message)
    assert len(set(answers)) == 1
    assert not GlassBreak.objects.exists()
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.BREAK_GLASS)
    assert refused.count() == 5 and not any(e.detail["granted"] for e in refused)
    # The number typed is not written to the log.
    assert not refused.filter(object_id=str(not_protected.pk)).exists()
    assert all(not_protected.id_number not in str(e.detail) for e in refused)


def test_a_reason_is_required(district: District, protected: Person) -> None:
    response = ask(district, "street_b", protected.id_number, reason="看看")
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert not GlassBreak.objects.exists()


def test_in_scope_goes_straight_to_the_record_without_a_grant(district: District, protected: Person) -> None:
    response = ask(district, "street_a", protected.id_number)
    assert response.status_code == 302 and response["Location"] == f"/people/{protected.pk}/"
    assert not GlassBreak.objects.exists()


def test_the_auditor_home_page_lists_the_grant(district: District, protected: Person) -> None:
    break_glass(district.users["street_b"], protected.id_number, REASON)
    body = html(district.client("auditor").get("/"))
    assert "street_b" in body and REASON in body and f"registry.person#{protected.pk}" in body
    assert protected.name not in body and protected.id_number not in body
    # A street auditor of street B does not see a grant in street A.
    user = accounts.create_user(SYSTEM, "auditor_b", "x", check_password=False)
    accounts.grant_role(SYSTEM, user, "auditor", "110112104")
    client = district.client(None)
    client.force_login(user)
    assert REASON not in html(client.get("/"))

"""The audit log page: auditors only, scoped to their areas, filtered by action."""

from __future__ import annotations

from gridwork.accounts import services as accounts
from gridwork.accounts.models import Role
from gridwork.conftest import GRID_A1, GRID_B1, District
from gridwork.core import audit
from gridwork.core.models import AuditEvent
from gridwork.core.system import SYSTEM
from gridwork.web.tests.helpers import assert_login_redirect, html


def _street_auditor(district: District) -> object:
    user = accounts.create_user(SYSTEM, "auditor_a", "x", check_password=False)
    accounts.grant_role(SYSTEM, user, Role.AUDITOR, "110112001")
    return user


def test_audit_ladder(district: District) -> None:
    assert_login_redirect(district.client(None).get("/audit/"))
    for who in ("nobody", "worker_a1", "street_a", "admin"):
        assert district.client(who).get("/audit/").status_code == 403, who
    assert district.client("auditor").get("/audit/").status_code == 200


def test_district_auditor_sees_everything_including_logins(district: District) -> None:
    audit.log(AuditEvent.Action.LOGIN_FAILED, actor_label="someone")
    response = district.client("auditor").get("/audit/", {"action": "login_failed"})
    assert response.status_code == 200
    assert [e.actor_label for e in response.context["page"]] == ["someone"]
    everything = district.client("auditor").get("/audit/").context["page"].paginator.object_list
    all_codes = {e.area_code for e in everything}
    assert "" in all_codes and GRID_B1 in all_codes


def test_street_auditor_sees_only_its_street(district: District) -> None:
    user = _street_auditor(district)
    audit.log(AuditEvent.Action.LOGIN_FAILED, actor_label="someone")
    for who, grid in (("worker_a1", GRID_A1), ("worker_b1", GRID_B1)):
        audit.log(AuditEvent.Action.REVEAL, district.users[who], obj=district.people[grid], reason="核实")
    client = district.client(None)
    client.force_login(user)
    response = client.get("/audit/")
    codes = {e.area_code for e in response.context["page"].paginator.object_list}
    assert codes and all(code.startswith("110112001") for code in codes)
    reveals = client.get("/audit/", {"action": "reveal"})
    assert [e.actor_label for e in reveals.context["page"]] == ["worker_a1"]
    assert "worker_b1" not in html(reveals)


def test_unknown_action_filter_is_ignored(district: District) -> None:
    response = district.client("auditor").get("/audit/", {"action": "nonsense"})
    assert response.status_code == 200 and response.context["action"] == ""

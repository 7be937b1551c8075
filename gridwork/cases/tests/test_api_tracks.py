"""Every track end to end through the API, by the right users, with the timeline, the allowed
actions and the deadline colour as the API shows them."""

from __future__ import annotations

from typing import Any

from gridwork.cases.models import Case
from gridwork.cases.tests.api_helpers import API, api_act, api_report, client, upload
from gridwork.cases.tests.conftest import URBAN
from gridwork.cases.tests.helpers import JPEG, PNG
from gridwork.conftest import COMMUNITY_A, GRID_A1, STREET_A


def step(d: Any, who: str, case_id: int, action: str, expect_status: str, **fields: Any) -> dict:
    response = api_act(d, who, case_id, action, **fields)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == expect_status
    assert body["timeline"][-1]["action"] == action
    return body


def allowed(d: Any, who: str, case_id: int) -> list[str]:
    return client(d, who).get(f"{API}/cases/{case_id}").json()["allowed_actions"]


def test_routine_reported_on_the_spot_and_resolved(cd: Any) -> None:
    response = api_report(cd, "worker_a1", category="E0101", title="暴露垃圾", photos=[upload("x.png", PNG)])
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["track"], body["status"], body["grid"]) == ("routine", "on_site", GRID_A1)
    assert body["holder"] == f"user:{cd.users['worker_a1'].pk}"
    assert body["time_status"] == "green" and body["step_deadline"] and body["deadline"]
    assert body["timeline"][0]["action"] == "report" and len(body["timeline"][0]["photos"]) == 1
    assert "resolve" in body["allowed_actions"]
    body = step(cd, "worker_a1", body["id"], "resolve", "closed", note="已清理", lon=116.604, lat=39.904)
    assert body["closed_at"] and body["time_status"] == ""
    assert body["timeline"][-1]["lon"] == 116.604 and body["timeline"][-1]["actor"] == "worker_a1"
    assert body["allowed_actions"] == []


def test_coordination_through_dispatch_rework_verification_and_feedback(cd: Any) -> None:
    created = api_report(cd, "worker_a1", reporter_name="王五", reporter_phone="13912345678").json()
    case_id = created["id"]
    assert (created["status"], created["holder"]) == ("submitted", f"area:{COMMUNITY_A}")
    assert "accept" in allowed(cd, "centre_a", case_id) and allowed(cd, "worker_a1", case_id) == []
    step(cd, "centre_a", case_id, "accept", "accepted")
    body = step(cd, "centre_a", case_id, "dispatch", "dispatched")
    assert body["holder_department"] == URBAN
    assert body["timeline"][-1]["department"] == URBAN
    assert "handle" in allowed(cd, "department", case_id)
    step(cd, "department", case_id, "handle", "handled", note="已清运", photos=[upload("after.jpg", JPEG)])
    step(cd, "worker_a1", case_id, "verify_fail", "dispatched", note="仍有残留")
    step(cd, "department", case_id, "handle", "handled")
    step(cd, "worker_a1", case_id, "verify_pass", "verified", lon=116.605, lat=39.905)
    body = step(cd, "centre_a", case_id, "feedback", "closed", note="已处理完毕")
    actions = [entry["action"] for entry in body["timeline"]]
    assert actions == [
        "report",
        "accept",
        "dispatch",
        "handle",
        "verify_fail",
        "handle",
        "verify_pass",
        "feedback",
    ]
    assert body["version"] == Case.objects.get(pk=case_id).version


def test_emergency_goes_to_street_and_community_and_is_tracked_to_closing(cd: Any) -> None:
    body = api_report(cd, "worker_a1", category="E0401", title="起火").json()
    assert (body["track"], body["status"]) == ("emergency", "emergency")
    alerts = [e["detail"]["area"] for e in body["timeline"] if e["action"] == "alert"]
    assert sorted(alerts) == [STREET_A, COMMUNITY_A]
    step(
        cd, "worker_a1", body["id"], "update", "emergency", note="消防已到场", photos=[upload("f.jpg", JPEG)]
    )
    step(cd, "worker_a1", body["id"], "update", "emergency", note="明火已扑灭")
    step(cd, "street_a", body["id"], "resolve", "closed", note="处置完毕")


def test_approval_through_street_and_district_to_public_notice(cd: Any) -> None:
    body = api_report(cd, "centre_a", category="S0201", title="低保申请", source="visit").json()
    case_id = body["id"]
    assert (body["track"], body["status"]) == ("approval", "submitted")
    step(cd, "centre_a", case_id, "accept", "accepted")
    step(cd, "centre_a", case_id, "submit_review", "street_review")
    step(cd, "street_a", case_id, "return", "accepted", note="材料不全")
    step(cd, "centre_a", case_id, "submit_review", "street_review")
    body = step(cd, "street_a", case_id, "review_pass", "district_review")
    assert body["holder"] == "area:110112"
    assert "approve" not in allowed(cd, "street_a", case_id) and "approve" in allowed(cd, "district", case_id)
    body = step(cd, "district", case_id, "approve", "notice")
    assert body["timeline"][-1]["detail"]["decision"] == "approved"
    step(cd, "centre_a", case_id, "publish", "closed")


def test_escalate_suspend_resume_extend_reject_reopen_merge(cd: Any) -> None:
    case_id = api_report(cd, "worker_a1").json()["id"]
    body = step(cd, "centre_a", case_id, "escalate", "submitted", note="社区无法处理")
    assert body["holder"] == f"area:{STREET_A}" and body["escalation_level"] == 1
    # Escalated above the community: out of the centre's hands.
    assert api_act(cd, "centre_a", case_id, "accept").status_code == 403
    step(cd, "street_a", case_id, "suspend", "suspended", note="等待材料")
    step(cd, "street_a", case_id, "resume", "submitted")
    before = client(cd, "street_a").get(f"{API}/cases/{case_id}").json()["step_deadline"]
    body = step(cd, "street_a", case_id, "extend", "submitted", amount=2, unit="days", note="需现场勘查")
    assert body["step_deadline"] > before and body["timeline"][-1]["detail"] == {"amount": 2, "unit": "days"}
    step(cd, "street_a", case_id, "reject", "rejected", note="不属于受理范围")
    step(cd, "street_a", case_id, "reopen", "accepted", note="复核后受理")

    first = api_report(cd, "worker_a1").json()["id"]
    second = api_report(cd, "worker_a1").json()["id"]
    body = step(cd, "centre_a", second, "merge", "merged", into=first)
    assert body["merged_into"] == first

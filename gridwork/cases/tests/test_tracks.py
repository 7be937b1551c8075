"""Every track end to end through the services, with routing, holders, deadlines and the signal."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gridwork.cases import services
from gridwork.cases.errors import TransitionNotAllowed
from gridwork.cases.models import Case, CaseEvent, Status
from gridwork.cases.signals import case_event
from gridwork.cases.tests.conftest import URBAN
from gridwork.cases.tests.helpers import PNG, actions, do, report
from gridwork.conftest import COMMUNITY_A, GRID_A1, STREET_A


def test_routine_is_handled_on_the_spot_and_closed(cd: Any) -> None:
    case = report(cd, category="E0101", title="暴露垃圾")
    assert (case.track, case.status, case.holder_user_id) == ("routine", "on_site", cd.users["worker_a1"].pk)
    assert case.grid_id == GRID_A1 and case.step_deadline and case.deadline
    case = do(cd, "worker_a1", case, "resolve", note="已清理", photos=[PNG])
    assert case.status == "closed" and case.closed_at and case.step_deadline is None
    assert actions(case) == ["report", "resolve"]
    assert case.photos.count() == 1 and case.photos.get().content_type == "image/png"


def test_coordination_full_loop_with_rework(cd: Any, django_capture_on_commit_callbacks: Any) -> None:
    sent: list[dict] = []

    def receiver(**kwargs: Any) -> None:
        sent.append(kwargs)

    case_event.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = report(cd, reporter_name="王五", reporter_phone="13912345678")
    finally:
        case_event.disconnect(receiver)
    assert [s["action"] for s in sent] == ["report"] and sent[0]["case_id"] == case.pk
    assert sent[0]["event_id"] == CaseEvent.objects.get(case=case).pk
    assert case.track == "coordination" and case.status == "submitted" and case.holder_area_id == COMMUNITY_A
    assert case.reporter_phone_masked == "139****5678" and case.reporter_name_masked == "王*"

    case = do(cd, "centre_a", case, "accept")
    assert case.status == "accepted"
    with pytest.raises(TransitionNotAllowed):
        do(cd, "centre_a", case, "feedback")  # never closed before verification
    case = do(cd, "centre_a", case, "dispatch")
    assert (case.status, case.holder_department) == ("dispatched", URBAN)
    case = do(cd, "department", case, "handle", note="已清运")
    assert case.status == "handled" and case.holder_area_id == GRID_A1 and not case.holder_department
    case = do(cd, "worker_a1", case, "verify_fail", note="仍有残留")
    assert (case.status, case.holder_department) == ("dispatched", URBAN)
    case = do(cd, "department", case, "handle")
    case = do(cd, "worker_a1", case, "verify_pass", lon=116.605, lat=39.905)
    assert case.status == "verified" and case.holder_area_id == COMMUNITY_A
    case = do(cd, "centre_a", case, "feedback", note="已处理完毕，感谢反映")
    assert case.status == "closed"
    assert actions(case) == [
        "report",
        "accept",
        "dispatch",
        "handle",
        "verify_fail",
        "handle",
        "verify_pass",
        "feedback",
    ]
    event = CaseEvent.objects.get(case=case, action="verify_pass")
    assert (event.lon, event.lat, event.actor_label, event.actor_role) == (
        116.605,
        39.905,
        "worker_a1",
        "grid_worker",
    )
    assert event.from_status == "handled" and event.to_status == "verified"

    services.rate_case(None, case.tracking_code.lower(), 4, "及时")
    case.refresh_from_db()
    assert case.rating == 4 and actions(case)[-1] == "rate"
    with pytest.raises(TransitionNotAllowed):
        services.rate_case(None, case.tracking_code, 5)
    public = services.public_timeline(case)
    assert [p["action"] for p in public][-2:] == ["feedback", "rate"]
    assert public[-2]["note"] == "已处理完毕，感谢反映" and all("王五" not in str(p) for p in public)


def test_emergency_reaches_street_and_community_at_once(cd: Any) -> None:
    case = report(cd, category="E0401", title="起火")
    assert case.track == "emergency" and case.status == "emergency"
    alerts = CaseEvent.objects.filter(case=case, action="alert")
    assert sorted(e.detail["area"] for e in alerts) == [STREET_A, COMMUNITY_A]
    case = do(cd, "worker_a1", case, "update", note="消防已到场", photos=[JPEG_PHOTO])
    case = do(cd, "worker_a1", case, "update", note="明火已扑灭")
    case = do(cd, "street_a", case, "resolve", note="处置完毕")
    assert case.status == "closed"
    assert actions(case) == ["report", "alert", "alert", "update", "update", "resolve"]


JPEG_PHOTO = ("x.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 60)


def test_approval_chain_to_public_notice(cd: Any) -> None:
    case = report(cd, "centre_a", category="S0201", title="低保申请", source="visit")
    assert case.track == "approval" and case.status == "submitted"
    case = do(cd, "centre_a", case, "accept")
    case = do(cd, "centre_a", case, "submit_review")
    assert case.status == "street_review" and case.holder_area_id == STREET_A
    case = do(cd, "street_a", case, "return", note="材料不全")
    assert case.status == "accepted"
    case = do(cd, "centre_a", case, "submit_review")
    case = do(cd, "street_a", case, "review_pass")
    assert case.status == "district_review" and case.holder_area_id == "110112"
    with pytest.raises(Exception):  # noqa: B017 the street may not approve
        do(cd, "street_a", case, "approve")
    case = do(cd, "district", case, "approve")
    assert (
        case.status == "notice"
        and CaseEvent.objects.get(case=case, action="approve").detail["decision"] == "approved"
    )
    case = do(cd, "centre_a", case, "publish")
    assert case.status == "closed"


def test_approval_denied_still_goes_through_notice(cd: Any) -> None:
    case = report(cd, "centre_a", category="S0203", title="补贴申请", source="visit")
    for who, action in (("centre_a", "accept"), ("centre_a", "submit_review"), ("street_a", "review_pass")):
        case = do(cd, who, case, action)
    case = do(cd, "district", case, "deny", note="不符合条件")
    assert case.status == "notice"
    assert do(cd, "centre_a", case, "publish").status == "closed"


def test_resident_report_goes_to_the_centre_and_routine_goes_back_to_the_grid(cd: Any) -> None:
    case = report(
        cd, None, category="E0101", source="resident", reporter_name="李四", reporter_phone="13800001111"
    )
    assert case.status == "submitted" and case.reporter_id is None and case.holder_area_id == COMMUNITY_A
    case = do(cd, "centre_a", case, "accept")
    assert case.status == "on_site" and case.holder_area_id == GRID_A1 and case.holder_user_id is None
    assert do(cd, "worker_a1", case, "resolve").status == "closed"


def test_escalate_return_suspend_resume_extend_reject_reopen(cd: Any) -> None:
    case = report(cd, category="E0101")
    case = do(cd, "worker_a1", case, "escalate", note="需协调城管")
    assert (case.status, case.track, case.holder_area_id) == ("accepted", "coordination", COMMUNITY_A)
    case = do(cd, "centre_a", case, "escalate")
    assert case.holder_area_id == STREET_A and case.escalation_level == 2
    with pytest.raises(Exception):  # noqa: B017 out of the centre's hands now
        do(cd, "centre_a", case, "dispatch")
    case = do(cd, "street_a", case, "dispatch", department=URBAN)
    case = do(cd, "department", case, "return", note="不属于本部门")
    assert case.status == "accepted" and not case.holder_department
    deadline = case.step_deadline
    case = do(cd, "street_a", case, "extend", amount=2, unit="days")
    assert case.step_deadline > deadline
    case = do(cd, "street_a", case, "suspend")
    assert case.status == "suspended" and case.step_deadline is None
    case = do(cd, "street_a", case, "resume")
    assert case.status == "accepted" and case.step_deadline is not None
    case = do(cd, "street_a", case, "reject", note="重复反映")
    assert case.status == "rejected"
    case = do(cd, "street_a", case, "reopen", note="复查")
    assert case.status == "accepted" and case.holder_area_id == COMMUNITY_A


def test_merge_a_duplicate(cd: Any) -> None:
    first = report(cd)
    second = report(cd, "member_a1")
    assert services.find_possible_duplicates("E0104", first.lon, first.lat, 100, exclude_id=second.pk) == [
        first
    ]
    second = do(cd, "centre_a", second, "merge", into=first.pk)
    assert second.status == "merged" and second.merged_into_id == first.pk
    with pytest.raises(ValidationError):
        do(cd, "centre_a", report(cd), "merge", into=second.pk)  # not into a merged case
    found = services.find_possible_duplicates("E0104", first.lon, first.lat, 100)
    assert first in found and second not in found and all(c.is_open for c in found)
    assert Case.objects.filter(merged_into=first).count() == 1


def test_duplicates_respect_category_radius_and_window(cd: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    case = report(cd)
    lon, lat = case.lon, case.lat
    assert services.find_possible_duplicates("E0104", lon + 0.0005, lat, 100) == [case]  # ~43 m east
    assert services.find_possible_duplicates("E0104", lon + 0.005, lat, 100) == []  # ~430 m
    assert services.find_possible_duplicates("E0101", lon, lat, 100) == []
    later = timezone.now() + dt.timedelta(days=5)
    assert services.find_possible_duplicates("E0104", lon, lat, 100, dt.timedelta(days=3), now=later) == []


def test_allowed_actions_follow_role_and_state(cd: Any) -> None:
    case = report(cd)
    assert set(services.allowed_actions(cd.users["centre_a"], case)) >= {
        "accept",
        "reject",
        "merge",
        "suspend",
    }
    assert services.allowed_actions(cd.users["worker_a1"], case) == []
    assert Status(case.status).label
